import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseDatabaseUrl, SchemaRunner, SkillMetricsStore } from '@skill-metrics/db-store'
import { JsonFileTracker, loadLegacyFile } from '@skill-metrics/json-tracker'
import { DIALECTS, freshDatabase, type TestDatabase } from '@skill-metrics/testing/databases'
import { advanceTo, inDualWrite as dualWriteMigration } from '@skill-metrics/testing/phase-walk'
import { listenSilently } from '@skill-metrics/testing/silent-server'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { migrationStatus } from '../src/operations/status.js'
import { dualWriteGuard } from '../src/phases/guards.js'
import { writePhaseCopy } from '../src/phases/phase-copy.js'
import { transition } from '../src/phases/transition.js'
import { readMisses } from '../src/trackers/dual-write-misses.js'
import { DualWriteTracker } from '../src/trackers/dual-write-tracker.js'
import { openTracker as open, recordInvocation } from '../src/trackers/open-tracker.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

async function inDualWrite(dialect: 'sqlite' | 'postgres') {
  const migration = await dualWriteMigration(dialect)
  cleanups.push(migration.db.drop)
  return migration
}

describe.each(DIALECTS)('dual-write on %s', (dialect) => {
  it('writes the file first, then the database with the same id, time, duration and outcome', async () => {
    const { db, jsonFile } = await inDualWrite(dialect)
    const tracker = await open({ jsonFile, db: db.target })
    cleanups.unshift(() => tracker.close())
    for (let index = 0; index < 12; index += 1) {
      const complete = await tracker.trackInvocation(['review', 'lint', '3'][index % 3]!, {
        workflowPath: index % 4 === 0 ? null : `p${index % 2}`,
      })
      await complete({
        completed: index % 5 !== 0,
        errorType: index % 5 === 0 ? 'E' : null,
        followUpActions: ['x'],
      })
    }
    const pending = await tracker.trackInvocation('review')
    const file = await loadLegacyFile(jsonFile)
    const store = await SkillMetricsStore.open({ target: db.target })
    cleanups.unshift(() => store.close())
    const stored = []
    for await (const invocation of store.invocations()) stored.push(invocation)
    expect(stored.map(({ id, seq, completion_seq, session_id, ...record }) => record)).toEqual(
      file.invocations,
    )
    expect(stored.map((invocation) => invocation.seq)).toEqual(
      file.invocations.map((_, index) => index),
    )
    const aggregates = await store.skillAggregates()
    expect([...aggregates.keys()]).toEqual([...file.skills.keys()])
    for (const [name, aggregate] of file.skills) {
      const fromDatabase = aggregates.get(name)!
      expect({ ...fromDatabase, total_duration_seconds: 0 }).toEqual({
        ...aggregate,
        total_duration_seconds: 0,
      })
      expect(fromDatabase.total_duration_seconds).toBeCloseTo(aggregate.total_duration_seconds, 9)
    }
    expect(await readMisses(jsonFile)).toEqual([])
    await pending()
  })
})

describe('dual-write with the database unavailable', () => {
  it('a PostgreSQL server that does not answer never fails the caller; each miss is recorded', async () => {
    const jsonFile = join(await mkdtemp(join(tmpdir(), 'sm-dual-')), 'skill_metrics.json')
    const unreachable = {
      dialect: 'postgres' as const,
      url: 'postgres://postgres@127.0.0.1:1/none',
      schema: undefined,
      display: 'postgres://postgres@127.0.0.1:1/none',
    }
    const tracker = new DualWriteTracker(
      new JsonFileTracker({ file: jsonFile }),
      () => SkillMetricsStore.open({ target: unreachable, busyTimeoutMs: 500 }),
      1_000,
    )
    const started = performance.now()
    for (let index = 0; index < 3; index += 1) await (await tracker.trackInvocation('review'))()
    expect(performance.now() - started).toBeLessThan(3 * 2 * 1_000 + 2_000)
    expect((await loadLegacyFile(jsonFile)).invocations).toHaveLength(3)
    const misses = await readMisses(jsonFile)
    expect(misses.map((miss) => miss.operation)).toEqual([
      'start',
      'complete',
      'start',
      'complete',
      'start',
      'complete',
    ])
    expect(misses[0]!.error).toMatch(/ECONNREFUSED|connect/)
    await tracker.close()
  })

  it('a locked SQLite database waits at most the bound, then the miss is recorded', async () => {
    const { db, jsonFile } = await inDualWrite('sqlite')
    const tracker = await open({ jsonFile, db: db.target, dualWriteTimeoutMs: 300 })
    cleanups.unshift(() => tracker.close())
    await (await tracker.trackInvocation('warm-up'))()
    const holder = new Database(db.target.dialect === 'sqlite' ? db.target.path : '')
    holder.exec('BEGIN EXCLUSIVE')
    const started = performance.now()
    const complete = await tracker.trackInvocation('review')
    await complete()
    expect(performance.now() - started).toBeLessThan(5_000)
    holder.exec('ROLLBACK')
    holder.close()
    const misses = await readMisses(jsonFile)
    expect(misses.map((miss) => miss.operation)).toEqual(['start', 'complete'])
    expect(misses[0]!.error).toMatch(/locked|busy|did not answer/i)
    expect((await migrationStatus(jsonFile, db.target)).dualWriteMisses).toBe(2)
  })
})

describe('dual-write with a host that drops packets', () => {
  it('a writer waits at most the dual-write bound, however long the connect time-out', async () => {
    const silent = await listenSilently()
    cleanups.push(silent.close)
    const jsonFile = join(await mkdtemp(join(tmpdir(), 'sm-silent-')), 'skill_metrics.json')
    await writePhaseCopy(jsonFile, {
      phase: 'dual-write',
      epoch: 1,
      transitioning: false,
      updated_at: new Date().toISOString(),
    })
    const db = {
      ...parseDatabaseUrl(`postgres://postgres@127.0.0.1:${silent.port}/test`),
      connectTimeoutMs: 60_000,
    }
    const started = performance.now()
    // Closing included: a connect still under way would hold the writer until it ends.
    await recordInvocation({ jsonFile, db, dualWriteTimeoutMs: 300 }, 'review', {}, {})
    expect(performance.now() - started).toBeLessThan(2 * 300 + 1_500)
    const misses = await readMisses(jsonFile)
    // `track` is one change (started and finished at once): one miss, carrying the whole record.
    expect(misses.map((miss) => miss.operation)).toEqual(['complete'])
    expect(misses[0]?.record).toMatchObject({ skill_name: 'review', completed: true })
    expect((await loadLegacyFile(jsonFile)).invocations).toHaveLength(1)
  })
})

describe('openTracker follows the phase', () => {
  it('a writer opened in json-only notices the move to dual-write before it writes', async () => {
    const db: TestDatabase = await freshDatabase('sqlite')
    cleanups.push(db.drop)
    const runner = await SchemaRunner.open({ target: db.target })
    await runner.migrate()
    await runner.close()
    const jsonFile = join(await mkdtemp(join(tmpdir(), 'sm-follow-')), 'skill_metrics.json')
    const writer = await open({ jsonFile, db: db.target })
    cleanups.unshift(() => writer.close())
    await (await writer.trackInvocation('before'))()
    await transition({
      jsonFile,
      target: db.target,
      to: 'dual-write',
      from: ['json-only'],
      guard: dualWriteGuard(),
    })
    await (await writer.trackInvocation('after'))()
    const store = await SkillMetricsStore.open({ target: db.target })
    cleanups.unshift(() => store.close())
    const stored = []
    for await (const invocation of store.invocations()) stored.push(invocation.skill_name)
    expect(stored).toEqual(['after'])
    expect(
      (await loadLegacyFile(jsonFile)).invocations.map((invocation) => invocation.skill_name),
    ).toEqual(['before', 'after'])
  })

  it('in db-primary writes go to the database only', async () => {
    const migration = await inDualWrite('sqlite')
    const { db, jsonFile } = migration
    await advanceTo(migration, 'dual-write', 'db-primary')
    const writer = await open({ jsonFile, db: db.target })
    cleanups.unshift(() => writer.close())
    await (await writer.trackInvocation('primary'))()
    expect((await writer.getSkillMetrics('primary'))?.total_invocations).toBe(1)
    expect((await loadLegacyFile(jsonFile)).invocations).toEqual([])
  })
})
