import { RefusedError } from '@skill-metrics/core'
import { PhaseStore } from '@skill-metrics/db-store'
import { JsonFileTracker } from '@skill-metrics/json-tracker'
import { DIALECTS } from '@skill-metrics/testing/databases'
import { fixturePath } from '@skill-metrics/testing/fixtures'
import { inDualWrite, type Migration } from '@skill-metrics/testing/phase-walk'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { migrateData } from '../src/backfill/data-migrator.js'
import { runValidation } from '../src/backfill/data-validator.js'
import { migrationStatus, nextCommand } from '../src/operations/status.js'
import { noUnresolvedMismatches } from '../src/phases/guards.js'
import { describeMismatch, readMismatches } from '../src/trackers/dual-read-mismatches.js'
import { DualReadTracker } from '../src/trackers/dual-read-tracker.js'
import { readMisses, recordMiss } from '../src/trackers/dual-write-misses.js'
import { DualWriteTracker } from '../src/trackers/dual-write-tracker.js'
import { openTracker } from '../src/trackers/open-tracker.js'
import { corrupt, smallInDualRead, toDualRead } from './dual-read-support.js'
import { laggingStore } from './lagging-store.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

/** small.json in dual-read, dropped after the test. */
async function inDualRead(dialect: 'sqlite' | 'postgres'): Promise<Migration> {
  const migration = await smallInDualRead(dialect)
  cleanups.push(migration.db.drop)
  return migration
}

async function unresolvedGuard({ jsonFile, target }: Migration) {
  const store = await PhaseStore.open(target)
  try {
    return await noUnresolvedMismatches({ jsonFile, target, state: await store.state(), store })
  } finally {
    await store.close()
  }
}

const everyRead = (tracker: JsonFileTracker | Awaited<ReturnType<typeof openTracker>>) =>
  Promise.all([
    tracker.getSkillMetrics('type-fixer'),
    tracker.getAllMetrics(),
    tracker.getSummary(),
    tracker.generateReport(),
  ])

describe.each(DIALECTS)('dual-read on %s', (dialect) => {
  it('a hand-corrupted database value: the caller gets the file’s answer, the mismatch is recorded and shown, and cutover’s guard stays closed until repaired', async () => {
    const migration = await inDualRead(dialect)
    const { jsonFile, target } = migration
    const control = new JsonFileTracker({ file: jsonFile })
    const total = (await control.getSkillMetrics('type-fixer'))!.total_invocations
    await corrupt(migration, 'type-fixer')
    const tracker = await openTracker({ jsonFile, db: target })
    cleanups.unshift(() => tracker.close())

    expect(await everyRead(tracker)).toEqual(await everyRead(control))

    const mismatches = await readMismatches(jsonFile)
    expect(mismatches.map((mismatch) => [mismatch.read, mismatch.subject, mismatch.kind])).toEqual(
      expect.arrayContaining([
        ['getSkillMetrics', 'type-fixer', 'mismatch'],
        ['getAllMetrics', null, 'mismatch'],
        ['getSummary', null, 'mismatch'],
        ['generateReport', null, 'mismatch'],
      ]),
    )
    expect(mismatches).toHaveLength(4)
    const single = mismatches.find((mismatch) => mismatch.read === 'getSkillMetrics')!
    expect(single.diffs).toContainEqual({
      field: 'total_invocations',
      json: total,
      db: total + 5,
    })
    expect(single.json).toMatchObject({ skill_name: 'type-fixer', total_invocations: total })
    expect(single.db).toMatchObject({ skill_name: 'type-fixer', total_invocations: total + 5 })
    expect(mismatches.find((mismatch) => mismatch.read === 'getAllMetrics')!.diffs).toContainEqual({
      field: 'type-fixer.total_invocations',
      json: total,
      db: total + 5,
    })

    const status = await migrationStatus(jsonFile, target)
    expect(status.dualReadMismatches).toMatchObject({ total: 4, unresolved: 4, errors: 0 })
    expect(status.dualReadMismatches.last).toEqual(mismatches)
    expect(nextCommand(status)).toBe('skill-metrics data migrate, then skill-metrics data validate')
    const refused = await unresolvedGuard(migration)
    expect(refused.ok).toBe(false)
    expect(refused.detail).toBe(
      `4 dual-read mismatch(es) since the last clean validation, the last at ${mismatches[3]!.at}: ${describeMismatch(mismatches[3]!)}; run: skill-metrics data migrate, then skill-metrics data validate`,
    )
    expect(describeMismatch(single)).toMatch(
      new RegExp(
        `^getSkillMetrics\\("type-fixer"\\) .*total_invocations file ${total}, database ${total + 5}`,
      ),
    )

    await migrateData(migration)
    expect((await runValidation(migration)).report.clean).toBe(true)
    expect(await unresolvedGuard(migration)).toMatchObject({ ok: true, detail: 'none' })
    expect(await everyRead(tracker)).toEqual(await everyRead(control))
    const repaired = await migrationStatus(jsonFile, target)
    expect(repaired.dualReadMismatches).toMatchObject({ total: 4, unresolved: 0, last: [] })
    expect(nextCommand(repaired)).toBe('skill-metrics cutover')
  })

  it('a database that fails: the caller gets the file’s answer, the error is recorded and shown, and does not block cutover', async () => {
    const migration = await inDualRead(dialect)
    const { jsonFile, target } = migration
    const control = new JsonFileTracker({ file: jsonFile })
    const tracker = new DualReadTracker(
      new JsonFileTracker({ file: jsonFile }),
      () => Promise.reject(new Error('the database is down')),
      500,
    )
    cleanups.unshift(() => tracker.close())
    await (await tracker.trackInvocation('offline'))()

    expect(await everyRead(tracker)).toEqual(await everyRead(control))
    expect((await control.getSkillMetrics('offline'))?.total_invocations).toBe(1)
    expect((await readMisses(jsonFile)).map((miss) => miss.operation)).toEqual([
      'start',
      'complete',
    ])
    const mismatches = await readMismatches(jsonFile)
    expect(mismatches).toHaveLength(4)
    for (const mismatch of mismatches)
      expect(mismatch).toMatchObject({ kind: 'error', error: 'the database is down' })
    const status = await migrationStatus(jsonFile, target)
    expect(status.dualReadMismatches).toMatchObject({ total: 4, unresolved: 0, errors: 4 })
    expect(await unresolvedGuard(migration)).toMatchObject({ ok: true })
  })

  it('records nothing while writes go on', async () => {
    const migration = await inDualRead(dialect)
    const { jsonFile, target } = migration
    const writer = await openTracker({ jsonFile, db: target })
    const reader = await openTracker({ jsonFile, db: target })
    cleanups.unshift(
      () => writer.close(),
      () => reader.close(),
    )
    const writes = ['type-fixer', 'new-skill', 'pytest-runner'].map(async (skill) => {
      for (let index = 0; index < 4; index += 1) {
        const complete = await writer.trackInvocation(skill, { workflowPath: `p${index % 2}` })
        await complete({ completed: index % 3 !== 0, followUpActions: ['x'] })
      }
    })
    const reads = (async () => {
      for (let index = 0; index < 6; index += 1) await everyRead(reader)
    })()
    await Promise.all([...writes, reads])
    const control = new JsonFileTracker({ file: jsonFile })
    expect(await everyRead(reader)).toEqual(await everyRead(control))
    expect((await control.getSkillMetrics('new-skill'))?.total_invocations).toBe(4)
    expect(await readMismatches(jsonFile)).toEqual([])
    expect(await readMisses(jsonFile)).toEqual([])
  })

  it('a difference that a write in flight explains settles on a recheck and is not recorded', async () => {
    const migration = await inDualRead(dialect)
    const { jsonFile, target } = migration
    const writer = new DualWriteTracker(
      new JsonFileTracker({ file: jsonFile }),
      laggingStore(target, 250),
    )
    const reader = await openTracker({ jsonFile, db: target })
    cleanups.unshift(
      () => writer.close(),
      () => reader.close(),
    )
    const control = new JsonFileTracker({ file: jsonFile })
    const total = (await control.getSkillMetrics('type-fixer'))!.total_invocations
    const completing = (await writer.trackInvocation('type-fixer'))()
    // vi.waitFor's default second is shorter than one write on a busy machine (seen failing).
    await vi.waitFor(
      async () =>
        expect((await control.getSkillMetrics('type-fixer'))?.total_invocations).toBe(total + 1),
      { timeout: 60_000, interval: 20 },
    )
    expect((await reader.getSkillMetrics('type-fixer'))?.total_invocations).toBe(total + 1)
    await completing
    expect(await readMismatches(jsonFile)).toEqual([])
    expect(await readMisses(jsonFile)).toEqual([])
  })

  it('the guard to dual-read refuses a dual-write miss recorded since the last validation', async () => {
    const migration = await inDualWrite(dialect, fixturePath('small'))
    cleanups.push(migration.db.drop)
    await migrateData(migration)
    await runValidation(migration)
    await recordMiss(migration.jsonFile, {
      at: new Date().toISOString(),
      invocation_id: 'x',
      operation: 'complete',
      error: 'down',
    })
    const refused = await toDualRead(migration).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(RefusedError)
    expect((refused as RefusedError).message).toMatch(
      /1 database write\(s\) missed since .*; run: skill-metrics data migrate, then skill-metrics data validate/,
    )
    await migrateData(migration)
    await runValidation(migration)
    expect(await toDualRead(migration)).toMatchObject({ from: 'migrated', to: 'dual-read' })
  })
})
