import { writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { PhaseStore, SkillMetricsStore } from '@skill-metrics/db-store'
import { generateLegacyFile, loadLegacyFile } from '@skill-metrics/json-tracker'
import { lifecycleWriter } from '@skill-metrics/testing/child-processes'
import { DIALECTS } from '@skill-metrics/testing/databases'
import { expectAggregatesMatchRecords } from '@skill-metrics/testing/legacy-checks'
import { inDualWrite, type Migration } from '@skill-metrics/testing/phase-walk'
import { execa, type ResultPromise } from 'execa'
import { describe, expect, it } from 'vitest'
import { migrateData } from '../src/backfill/data-migrator.js'
import { runValidation, validateData } from '../src/backfill/data-validator.js'
import { cutover } from '../src/operations/cutover.js'
import { rollback } from '../src/operations/rollback.js'
import { dualReadGuard } from '../src/phases/guards.js'
import { transition } from '../src/phases/transition.js'

/** Library writers (each its own process, following the phase) that write until told to stop. */
export function startWriters(migration: Migration, count: number) {
  const stopFile = join(dirname(migration.jsonFile), 'stop-writers')
  const running: ResultPromise[] = Array.from({ length: count }, (_, writer) =>
    execa(
      'node',
      [lifecycleWriter, migration.jsonFile, migration.db.url, String(writer), stopFile],
      {
        reject: false,
      },
    ),
  )
  return {
    /** Stops them; returns the tags of every invocation whose writes returned, and their timings. */
    async stop() {
      await writeFile(stopFile, '')
      const runs = await Promise.all(running)
      for (const run of runs) expect(run.exitCode, String(run.stderr)).toBe(0)
      const lines = runs.flatMap((run) => String(run.stdout).split('\n').filter(Boolean))
      return {
        tags: lines.filter((line) => !line.startsWith('took ')),
        writes: lines
          .filter((line) => line.startsWith('took '))
          .map((line) => {
            const [, start, ms] = line.split(' ').map(Number)
            return { start: start!, end: start! + ms!, ms: ms! }
          }),
      }
    },
  }
}

export async function storedInvocations(migration: Migration): Promise<number> {
  const store = await SkillMetricsStore.open({ target: migration.target })
  try {
    return await store.invocationCount()
  } finally {
    await store.close()
  }
}

export async function waitUntil(
  condition: () => Promise<boolean>,
  what: string,
  timeoutMs = 120_000,
) {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await sleep(50)
  }
}

/**
 * Backfill, validation and the guard to dual-read while writers go on. A dual-write miss under
 * load (the database busy past its bound) keeps the guard closed until the next backfill and
 * validation, as it must: the loop is what a user does then.
 */
export async function advanceToDualRead(migration: Migration) {
  for (let attempt = 1; ; attempt += 1) {
    await migrateData(migration)
    await runValidation(migration)
    const phases = await PhaseStore.open(migration.target)
    const phase = (await phases.state()).phase
    await phases.close()
    if (phase === 'migrated') {
      try {
        await transition({
          ...migration,
          to: 'dual-read',
          from: ['migrated'],
          guard: dualReadGuard,
        })
        return
      } catch (error) {
        if (attempt >= 3) throw error
      }
    } else if (attempt >= 3) throw new Error(`still ${phase} after ${attempt} backfills`)
  }
}

/**
 * The whole lifecycle with `writers` processes writing throughout: dual-write → migrate →
 * dual-read → cutover → `afterCutover` more writes → rollback. No writer gets an error, every
 * invocation whose writes returned is in the final legacy file, its aggregates equal those
 * recomputed from its records, and the database validates clean against it with no backfill
 * (every record kept its id and place).
 */
export async function expectLifecycleUnderLiveWrites(
  dialect: 'sqlite' | 'postgres',
  {
    writers,
    afterCutover,
    freezeTimeoutMs = 5_000,
  }: { writers: number; afterCutover: number; freezeTimeoutMs?: number },
) {
  const migration = await inDualWrite(dialect)
  const history = 2_000
  await generateLegacyFile(migration.jsonFile, { invocations: history, overwrite: true })
  const running = startWriters(migration, writers)
  try {
    await waitUntil(
      async () => (await storedInvocations(migration)) >= writers,
      'the writers are writing',
    )
    await advanceToDualRead(migration)
    const cutoverStarted = Date.now()
    const cut = await cutover({ ...migration, freezeTimeoutMs })
    const cutoverEnded = Date.now()
    expect(cut.moved).toBe(true)
    expect(cut.freeze!.ms).toBeLessThanOrEqual(freezeTimeoutMs)
    const atCutover = await storedInvocations(migration)
    await waitUntil(
      async () => (await storedInvocations(migration)) >= atCutover + afterCutover,
      `${afterCutover} more writes after cutover`,
    )
    const back = await rollback(migration)
    expect(back.regenerated!.invocations).toBeGreaterThanOrEqual(atCutover + afterCutover)
    await sleep(300)
    const { tags, writes } = await running.stop()
    // How long cutover held each writer: the part of its writes that overlapped the cutover.
    const heldMs = writes.map(
      (write) => Math.min(write.end, cutoverEnded) - Math.max(write.start, cutoverStarted),
    )
    expect(heldMs.filter((ms) => ms > 0).length).toBeGreaterThan(0)
    const longestMs = Math.max(...heldMs)
    expect(longestMs).toBeLessThanOrEqual(freezeTimeoutMs)
    const file = await loadLegacyFile(migration.jsonFile)
    const inFile = new Set(file.invocations.map((invocation) => invocation.workflow_path))
    expect(tags.filter((tag) => !inFile.has(tag))).toEqual([])
    expect(file.invocations.length).toBe(history + tags.length)
    expectAggregatesMatchRecords(file.invocations, file.skills, 'concurrent')
    const report = await validateData(migration)
    expect(report.clean, JSON.stringify(report).slice(0, 3000)).toBe(true)
    return {
      writes: tags.length,
      cutoverMs: cutoverEnded - cutoverStarted,
      freezeMs: cut.freeze!.ms,
      longestHeldMs: longestMs,
    }
  } finally {
    await running.stop().catch(() => {})
    await migration.db.drop()
  }
}

/** The lifecycle above on every dialect, as one test each, printing what it measured. */
export function describeLifecycle(
  { writers, afterCutover }: { writers: number; afterCutover: number },
  timeoutMs: number,
  note = '',
): void {
  describe.each(DIALECTS)(
    `the whole lifecycle on %s with ${writers} writers throughout${note}`,
    (dialect) => {
      it(
        `dual-write → migrate → dual-read → cutover → ${afterCutover.toLocaleString('en')} writes → rollback loses nothing`,
        async () => {
          const measured = await expectLifecycleUnderLiveWrites(dialect, { writers, afterCutover })
          console.log(`${dialect}: lifecycle`, measured)
        },
        timeoutMs,
      )
    },
  )
}
