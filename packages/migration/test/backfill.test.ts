import { readFile, writeFile } from 'node:fs/promises'
import { SkillMetricsStore } from '@skill-metrics/db-store'
import { generateLegacyFile, JsonFileTracker } from '@skill-metrics/json-tracker'
import { DIALECTS } from '@skill-metrics/testing/databases'
import { expectContains, fixturePath, plainMetrics } from '@skill-metrics/testing/fixtures'
import { inDualWrite, type Migration } from '@skill-metrics/testing/phase-walk'
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { migrateData } from '../src/backfill/data-migrator.js'
import { runValidation } from '../src/backfill/data-validator.js'
import { migrationStatus } from '../src/operations/status.js'
import { readMisses, recordMiss } from '../src/trackers/dual-write-misses.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

async function setUp(dialect: 'sqlite' | 'postgres', source?: string): Promise<Migration> {
  const migration = await inDualWrite(dialect, source)
  cleanups.push(migration.db.drop)
  return migration
}

async function execute(migration: Migration, statement: string) {
  const { db } = migration
  if (db.target.dialect === 'sqlite') {
    const raw = new Database(db.target.path)
    raw.exec(statement)
    raw.close()
    return
  }
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  await client.query(statement)
  await client.end()
}

describe.each(DIALECTS)('backfill and validation on %s', (dialect) => {
  it.each(['small', 'medium', 'edge'])(
    '%s.json migrates exactly, validates clean, and reruns change nothing',
    async (name) => {
      const migration = await setUp(dialect, fixturePath(name))
      const first = await migrateData(migration)
      expect(first.rejected).toEqual([])
      expect(first.inserted).toBe(first.read)
      const { report, advanced } = await runValidation(migration)
      expect(report.clean, JSON.stringify(report).slice(0, 2000)).toBe(true)
      expect(advanced).toMatchObject({ from: 'dual-write', to: 'migrated' })
      const store = await SkillMetricsStore.open({ target: migration.db.target })
      cleanups.unshift(() => store.close())
      expectContains(
        plainMetrics(await store.getAllMetrics()),
        JSON.parse(await readFile(fixturePath(name, '.metrics.json'), 'utf8')),
      )
      expect(await store.generateReport()).toBe(
        await readFile(fixturePath(name, '.report.txt'), 'utf8'),
      )
      for (let rerun = 0; rerun < 3; rerun += 1) {
        const again = await migrateData(migration)
        expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: first.read })
      }
      expect((await runValidation(migration)).report.clean).toBe(true)
    },
  )

  it('makes a database value that differs equal to the file again (JSON wins)', async () => {
    const migration = await setUp(dialect, fixturePath('small'))
    await migrateData(migration)
    await execute(migration, "UPDATE skill_invocation SET error_type = 'corrupted' WHERE seq = 5")
    await execute(migration, 'UPDATE skill_metrics SET total_invocations = total_invocations + 7')
    const dirty = (await runValidation(migration)).report
    expect(dirty.clean).toBe(false)
    expect(dirty.invocations.mismatched).toHaveLength(1)
    expect(dirty.invocations.mismatched[0]).toMatchObject({
      index: 5,
      diffs: [{ field: 'error_type', db: 'corrupted' }],
    })
    expect(dirty.skills.mismatched.length).toBeGreaterThan(0)
    expect((await migrationStatus(migration.jsonFile, migration.db.target)).phase).toBe(
      'dual-write',
    )
    const repaired = await migrateData(migration)
    expect(repaired.updated).toBe(1)
    expect((await runValidation(migration)).report.clean).toBe(true)
  })

  it('repairs what dual-write missed, and clears the misses', async () => {
    const migration = await setUp(dialect)
    const tracker = new JsonFileTracker({ file: migration.jsonFile })
    for (let index = 0; index < 5; index += 1) await (await tracker.trackInvocation('offline'))()
    await recordMiss(migration.jsonFile, {
      at: 'now',
      invocation_id: 'x',
      operation: 'start',
      error: 'down',
    })
    const blocked = await runValidation(migration)
    expect(blocked.report.invocations.missing).toHaveLength(5)
    await migrateData(migration)
    expect(await readMisses(migration.jsonFile)).toEqual([])
    const { report, advanced } = await runValidation(migration)
    expect(report.clean).toBe(true)
    expect(advanced?.to).toBe('migrated')
  })

  it('reports bad records with their index, migrates the rest, and keeps the phase', async () => {
    const migration = await setUp(dialect)
    const good = (at: string, extra = {}) => ({
      skill_name: 's',
      invoked_at: at,
      completed: true,
      duration_seconds: 1.5,
      ...extra,
    })
    await writeFile(
      migration.jsonFile,
      JSON.stringify({
        invocations: [
          good('2025-01-01T00:00:00'),
          { skill_name: 's', invoked_at: 'noon' },
          { invoked_at: '2025-01-01T00:00:02' },
          good('2025-01-01T00:00:03', { completed: 'yes' }),
          good('2025-01-01T00:00:04', { duration_seconds: -3600.25 }),
        ],
        skills: {},
      }),
    )
    const result = await migrateData(migration)
    expect(result.rejected.map((record) => [record.index, record.field])).toEqual([
      [1, 'invoked_at'],
      [2, 'skill_name'],
      [3, 'completed'],
    ])
    expect(result.rejected[0]!.message).toContain(`${migration.jsonFile} invocations[1].invoked_at`)
    expect(result).toMatchObject({ read: 5, inserted: 2 })
    const store = await SkillMetricsStore.open({ target: migration.db.target })
    cleanups.unshift(() => store.close())
    const stored = []
    for await (const invocation of store.invocations()) stored.push(invocation)
    expect(stored.map((invocation) => invocation.duration_seconds)).toEqual([1.5, -3600.25])
    const { report, advanced } = await runValidation(migration)
    expect(report.rejected).toHaveLength(3)
    expect(report.clean).toBe(false)
    expect(advanced).toBeNull()
  })

  it('a generated file of 5,000 invocations migrates and validates clean', async () => {
    const migration = await setUp(dialect)
    await generateLegacyFile(migration.jsonFile, { invocations: 5_000, overwrite: true })
    const result = await migrateData({ ...migration, batchSize: 700 })
    expect(result).toMatchObject({ read: 5_000, inserted: 5_000, rejected: [] })
    expect((await runValidation(migration)).report.clean).toBe(true)
  })

  it('a run that dies mid-way is resumed by the next, which redoes at most the batch in flight', async () => {
    const migration = await setUp(dialect)
    await generateLegacyFile(migration.jsonFile, { invocations: 5_000, overwrite: true })
    const sync = SkillMetricsStore.prototype.syncBatch
    let calls = 0
    const dying = vi
      .spyOn(SkillMetricsStore.prototype, 'syncBatch')
      .mockImplementation(async function (this: SkillMetricsStore, ...args) {
        calls += 1
        if (calls === 4) throw new Error('killed while writing batch 4')
        return sync.apply(this, args)
      })
    await expect(migrateData({ ...migration, batchSize: 500 })).rejects.toThrow(/batch 4/)
    dying.mockRestore()
    const resumed = await migrateData({ ...migration, batchSize: 500 })
    expect(resumed).toMatchObject({ batches: 10, skippedBatches: 3, inserted: 3_500, updated: 0 })
    expect((await runValidation(migration)).report.clean).toBe(true)
    const rerun = await migrateData({ ...migration, batchSize: 500 })
    expect(rerun).toMatchObject({ batches: 10, skippedBatches: 10, inserted: 0, updated: 0 })
  })

  it('a record that changed in the file since the last run is synced again, its batch only', async () => {
    const migration = await setUp(dialect)
    await generateLegacyFile(migration.jsonFile, { invocations: 2_000, overwrite: true })
    const tracker = new JsonFileTracker({ file: migration.jsonFile })
    const complete = await tracker.trackInvocation('late-skill')
    expect(await migrateData({ ...migration, batchSize: 500 })).toMatchObject({
      batches: 5,
      inserted: 2_001,
    })
    await complete({ followUpActions: ['ship'] })
    const after = await migrateData({ ...migration, batchSize: 500 })
    expect(after).toMatchObject({ batches: 5, skippedBatches: 4, inserted: 0, updated: 1 })
    expect((await runValidation(migration)).report.clean).toBe(true)
  })

  it('a database changed behind the checkpoints is found by validation and repaired by the next run', async () => {
    const migration = await setUp(dialect)
    await generateLegacyFile(migration.jsonFile, { invocations: 2_000, overwrite: true })
    await migrateData({ ...migration, batchSize: 500 })
    await execute(migration, 'DELETE FROM skill_invocation WHERE seq IN (10, 1500)')
    const { report } = await runValidation(migration)
    expect(report.invocations.missing.map((record) => record.index)).toEqual([10, 1500])
    const repaired = await migrateData({ ...migration, batchSize: 500 })
    expect(repaired).toMatchObject({ skippedBatches: 0, inserted: 2 })
    expect((await runValidation(migration)).report.clean).toBe(true)
  })
  it('the recheck under the lock reads only what our writers changed, unless the file changed behind their back', async () => {
    const migration = await setUp(dialect)
    await generateLegacyFile(migration.jsonFile, { invocations: 2_000, overwrite: true })
    await migrateData(migration)
    // Written to the file only: a difference our writers' log knows the record of.
    const fileOnly = new JsonFileTracker({ file: migration.jsonFile })
    await (await fileOnly.trackInvocation('late-skill'))()
    const passesOfValidation = async () => {
      let passes = 0
      let last = Number.POSITIVE_INFINITY
      const { report } = await runValidation({
        ...migration,
        dryRun: true,
        onProgress: ({ bytesRead }) => {
          if (bytesRead <= last) passes += 1
          last = bytesRead
        },
      })
      return { passes, report }
    }
    const linked = await passesOfValidation()
    expect(linked.passes).toBe(1)
    expect(linked.report.invocations).toMatchObject({
      compared: 2_001,
      missing: [{ index: 2_000 }],
    })
    expect(linked.report.skills.missing).toEqual(['late-skill'])

    // A save that is not ours: the log does not reach the file's bytes, so the whole file is read.
    const document = JSON.parse(await readFile(migration.jsonFile, 'utf8'))
    await writeFile(migration.jsonFile, JSON.stringify(document, null, 2))
    const unlinked = await passesOfValidation()
    expect(unlinked.passes).toBe(2)
    expect(unlinked.report.invocations).toMatchObject({
      compared: 2_001,
      missing: [{ index: 2_000 }],
    })
  })

  it('a dry run counts what it would write and writes nothing, checkpoints included', async () => {
    const migration = await setUp(dialect)
    await generateLegacyFile(migration.jsonFile, { invocations: 3_000, overwrite: true })
    const dry = await migrateData({ ...migration, batchSize: 1_000, dryRun: true })
    expect(dry).toMatchObject({ dryRun: true, read: 3_000, inserted: 3_000, updated: 0 })
    const store = await SkillMetricsStore.open({ target: migration.db.target })
    cleanups.unshift(() => store.close())
    expect(await store.invocationCount()).toBe(0)
    expect(await store.skillAggregates()).toEqual(new Map())
    const real = await migrateData({ ...migration, batchSize: 1_000 })
    expect(real).toMatchObject({ batches: 3, skippedBatches: 0, inserted: 3_000 })
  })
  it('records dropped from the file by another writer: the rest take their new positions, the dropped are put back at the end', async () => {
    const migration = await setUp(dialect)
    await generateLegacyFile(migration.jsonFile, { invocations: 2_000, overwrite: true })
    await migrateData({ ...migration, batchSize: 500 })
    // A writer that is not skill-metrics rewrote the file without its first ten records.
    const document = JSON.parse(await readFile(migration.jsonFile, 'utf8'))
    const dropped = document.invocations.splice(0, 10)
    await writeFile(migration.jsonFile, JSON.stringify(document, null, 2))
    const moved = await migrateData({ ...migration, batchSize: 500 })
    // Every record moved up ten places (a few may also trade ids: occurrences count again), and
    // the ten the file lost went back to its end.
    expect(moved).toMatchObject({ inserted: 0, displaced: 10 })
    expect(moved.updated).toBeGreaterThan(1_900)
    expect(moved.restored.map((repair) => repair.invoked_at).sort()).toEqual(
      dropped.map((record: { invoked_at: string }) => record.invoked_at).sort(),
    )
    const restoredFile = JSON.parse(await readFile(migration.jsonFile, 'utf8'))
    expect(restoredFile.invocations).toHaveLength(2_000)
    const { report } = await runValidation(migration)
    expect(report.clean).toBe(true)
    expect(report.restored).toHaveLength(dropped.length)
    // New records take the next positions without a conflict.
    const complete = await new JsonFileTracker({ file: migration.jsonFile }).trackInvocation(
      'after',
    )
    await complete()
    expect(await migrateData({ ...migration, batchSize: 500 })).toMatchObject({
      inserted: 1,
      displaced: 0,
    })
    const store = await SkillMetricsStore.open({ target: migration.db.target })
    cleanups.unshift(() => store.close())
    const positions = []
    for await (const invocation of store.invocations()) positions.push(invocation.seq)
    expect(positions).toEqual(Array.from({ length: 2_001 }, (_, seq) => seq))
  })
})
