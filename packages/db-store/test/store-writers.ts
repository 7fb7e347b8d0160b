import { fileURLToPath } from 'node:url'
import { freshDatabase } from '@skill-metrics/testing/databases'
import { expectAggregatesMatchRecords } from '@skill-metrics/testing/legacy-checks'
import { execa } from 'execa'
import { expect } from 'vitest'
import { legacyRecordOf } from '../src/store/invocation-rows.js'
import { SkillMetricsStore } from '../src/store/skill-metrics-store.js'

const childWriter = fileURLToPath(new URL('./child-store-writer.mjs', import.meta.url))

/** `writers` processes × `perWriter` invocations into one database at once: nothing lost or doubled. */
export async function expectConcurrentStoreWriters(
  dialect: 'sqlite' | 'postgres',
  writers: number,
  perWriter: number,
) {
  const db = await freshDatabase(dialect)
  const setup = await SkillMetricsStore.open({ target: db.target, migrate: true })
  try {
    const started = performance.now()
    const runs = await Promise.all(
      Array.from({ length: writers }, (_, writer) =>
        execa('node', [childWriter, db.url, String(writer), String(perWriter)], { reject: false }),
      ),
    )
    console.log(
      `${dialect}: ${writers} × ${perWriter} store writers in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    )
    for (const run of runs) expect(run.exitCode, String(run.stderr)).toBe(0)
    const returned = runs.flatMap((run) => String(run.stdout).split('\n').filter(Boolean))
    expect(returned).toHaveLength(writers * perWriter)
    const stored = []
    for await (const invocation of setup.invocations()) stored.push(invocation)
    expect(stored).toHaveLength(writers * perWriter)
    expect(new Set(stored.map((invocation) => invocation.workflow_path))).toEqual(new Set(returned))
    expect(new Set(stored.map((invocation) => invocation.seq)).size).toBe(stored.length)
    expectAggregatesMatchRecords(
      stored.map(legacyRecordOf),
      await setup.skillAggregates(),
      'concurrent',
    )
    // Completion sequences are a gap-free count of completions: no completion counted twice.
    const sequences = stored.map((invocation) => invocation.completion_seq).sort((a, b) => a! - b!)
    expect(sequences).toEqual(Array.from({ length: stored.length }, (_, index) => index + 1))
  } finally {
    await setup.close()
    await db.drop()
  }
}
