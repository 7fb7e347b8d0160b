import { fileURLToPath } from 'node:url'
import { generateLegacyFile, loadLegacyFile } from '@skill-metrics/json-tracker'
import { expectAggregatesMatchRecords } from '@skill-metrics/testing/legacy-checks'
import { inDualWrite } from '@skill-metrics/testing/phase-walk'
import { execa } from 'execa'
import { expect } from 'vitest'
import { migrateData } from '../src/backfill/data-migrator.js'
import { runValidation } from '../src/backfill/data-validator.js'
import { readMisses } from '../src/trackers/dual-write-misses.js'

const childWriter = fileURLToPath(new URL('./child-dual-writer.mjs', import.meta.url))

/** Invocations the file holds before the writers start: what the backfill has to copy. */
const HISTORY = 300

/**
 * `writers` processes dual-write `perWriter` invocations each while the backfill runs twice over
 * a file that already holds history: afterwards validation is clean with no further backfill, and
 * neither store lost or double-counted an invocation. Each write rewrites the whole file, so the
 * history is kept small: the writers' own invocations make the file grow under the backfill.
 */
export async function expectBackfillUnderLiveWrites(
  dialect: 'sqlite' | 'postgres',
  writers: number,
  perWriter: number,
) {
  const migration = await inDualWrite(dialect)
  try {
    await generateLegacyFile(migration.jsonFile, { invocations: HISTORY, overwrite: true })
    const started = performance.now()
    const running = Array.from({ length: writers }, (_, writer) =>
      execa(
        'node',
        [childWriter, migration.jsonFile, migration.db.url, String(writer), String(perWriter)],
        {
          reject: false,
        },
      ),
    )
    // The backfills start once the writers write (starting a process takes longer than copying
    // the history), so that they run among the live writes.
    await Promise.race([
      Promise.all(running),
      new Promise((resolve) => running[0]!.stdout!.once('data', resolve)),
    ])
    await migrateData(migration)
    await migrateData(migration)
    const runs = await Promise.all(running)
    console.log(
      `${dialect}: ${writers} × ${perWriter} dual-writers with two backfills in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    )
    for (const run of runs) expect(run.exitCode, String(run.stderr)).toBe(0)
    const returned = runs.flatMap((run) => String(run.stdout).split('\n').filter(Boolean))
    expect(returned).toHaveLength(writers * perWriter)
    expect(await readMisses(migration.jsonFile)).toEqual([])
    const { report } = await runValidation(migration)
    expect(report.clean, JSON.stringify(report).slice(0, 3000)).toBe(true)
    const file = await loadLegacyFile(migration.jsonFile)
    expect(file.invocations).toHaveLength(HISTORY + writers * perWriter)
    const tags = new Set(file.invocations.map((invocation) => invocation.workflow_path))
    for (const tag of returned) expect(tags.has(tag), tag).toBe(true)
    // The generated history was completed in file order; the live writes interleave.
    expectAggregatesMatchRecords(file.invocations, file.skills, 'concurrent')
  } finally {
    await migration.db.drop()
  }
}
