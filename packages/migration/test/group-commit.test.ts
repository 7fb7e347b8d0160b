import { existsSync } from 'node:fs'
import { systemClock } from '@skill-metrics/core'
import { SkillMetricsStore } from '@skill-metrics/db-store'
import {
  appendToJournal,
  invocationEntry,
  journalLength,
  loadLegacyFile,
  readWriterState,
  recordJournal,
  withWritersLock,
} from '@skill-metrics/json-tracker'
import { DIALECTS } from '@skill-metrics/testing/databases'
import { advanceTo, inDualWrite, type Migration } from '@skill-metrics/testing/phase-walk'
import { afterEach, describe, expect, it } from 'vitest'
import { migrateData } from '../src/backfill/data-migrator.js'
import { runValidation } from '../src/backfill/data-validator.js'
import { checkHealth } from '../src/operations/health.js'
import { applyJournal, recordInvocation } from '../src/trackers/open-tracker.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

async function setUp(dialect: 'sqlite' | 'postgres'): Promise<Migration> {
  const migration = await inDualWrite(dialect)
  cleanups.push(migration.db.drop)
  return migration
}

const entryFor = (path: string) =>
  invocationEntry('review', { workflowPath: path }, { durationSeconds: 2 }, systemClock)

const track = (migration: Migration, path: string) =>
  recordInvocation(
    { jsonFile: migration.jsonFile, db: migration.target },
    'review',
    { workflowPath: path },
    { durationSeconds: 1 },
  )

async function storedPaths(migration: Migration): Promise<Array<string | null>> {
  const store = await SkillMetricsStore.open({ target: migration.target })
  try {
    const paths: Array<string | null> = []
    for await (const stored of store.invocations()) paths.push(stored.workflow_path)
    return paths.sort()
  } finally {
    await store.close()
  }
}

describe.each(DIALECTS)('group commit on %s', (dialect) => {
  it('dual-write copies a batch the holder applied for journaled writers, with the file’s ids', async () => {
    const migration = await setUp(dialect)
    await track(migration, 'first')
    let release!: () => void
    const held = withWritersLock(
      migration.jsonFile,
      () => new Promise<void>((resolve) => (release = resolve)),
    )
    const tracks = ['a', 'b', 'c'].map((path) => track(migration, path))
    const deadline = Date.now() + 20_000
    while ((await journalLength(migration.jsonFile)) < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(await journalLength(migration.jsonFile)).toBe(3)
    release()
    await held
    const written = await Promise.all(tracks)
    expect(written.map(({ missed }) => missed)).toEqual([null, null, null])
    expect(await storedPaths(migration)).toEqual(['a', 'b', 'c', 'first'])
    const { report } = await runValidation(migration)
    expect(report.clean, JSON.stringify(report).slice(0, 2_000)).toBe(true)
  })

  it('db-primary drains the journal into the database once per entry, skipping what the file took', async () => {
    const migration = await setUp(dialect)
    // Applied to the file (and copied) in dual-write; its line is then appended again, as a writer
    // does whose line landed in a journal the holder had already taken.
    const early = entryFor('early')
    await appendToJournal(migration.jsonFile, early)
    await track(migration, 'dual-write')
    await appendToJournal(migration.jsonFile, early)
    await advanceTo(migration, 'dual-write', 'db-primary')

    // Left by writers that never hold the lock (the Python client), drained by the next write.
    const late = [entryFor('late-1'), entryFor('late-2')]
    for (const entry of late) await appendToJournal(migration.jsonFile, entry)
    const written = await track(migration, 'db-primary')
    expect(written.phase).toBe('db-primary')
    const expected = ['db-primary', 'dual-write', 'early', 'late-1', 'late-2']
    expect(await storedPaths(migration)).toEqual(expected)
    expect(await journalLength(migration.jsonFile)).toBe(0)

    // A drain that died after its commit, before the writer state named what it applied: the
    // database's own record of the entries keeps the replay from applying them again.
    const state = await readWriterState(migration.jsonFile)
    await recordJournal(migration.jsonFile, { applied: [] })
    for (const entry of late) await appendToJournal(migration.jsonFile, entry)
    await track(migration, 'again')
    expect(await storedPaths(migration)).toEqual(['again', ...expected].sort())
    expect(state?.journal?.applied.map(({ entry }) => entry)).toEqual(
      expect.arrayContaining(late.map(({ entry }) => entry)),
    )
    // The legacy file is no longer written once the database is the truth.
    expect(existsSync(migration.jsonFile)).toBe(true)
    expect((await loadLegacyFile(migration.jsonFile)).invocations).toHaveLength(2)
  })

  it('journal apply: a journaled entry (the Python client’s) lands once, by id or drained, in every phase', async () => {
    const migration = await setUp(dialect)
    const options = { jsonFile: migration.jsonFile, db: migration.target }
    expect((await applyJournal(options)).applied).toEqual([])

    const byId = entryFor('by-id')
    await appendToJournal(migration.jsonFile, byId)
    const first = await applyJournal(options, byId)
    const again = await applyJournal(options, byId)
    expect(again.entry).toEqual(first.entry)
    expect(first.phase).toBe('dual-write')
    expect(first.database).not.toBeNull()

    const waiting = entryFor('drained')
    await appendToJournal(migration.jsonFile, waiting)
    const health = await checkHealth({ jsonFile: migration.jsonFile, target: migration.target })
    const check = health.checks.find(({ name }) => name === 'group-commit journal drained')
    expect(check).toMatchObject({ ok: true, level: 'warn' })
    expect(check?.detail).toMatch(/^1 change\(s\) wait in /)
    expect((await applyJournal(options)).applied.map(({ entry }) => entry)).toEqual([waiting.entry])
    expect(await storedPaths(migration)).toEqual(['by-id', 'drained'])
    expect((await loadLegacyFile(migration.jsonFile)).invocations).toHaveLength(2)

    // data migrate applies what waits before it copies the file.
    const beforeMigrate = entryFor('before-migrate')
    await appendToJournal(migration.jsonFile, beforeMigrate)
    await migrateData({ jsonFile: migration.jsonFile, target: migration.target })
    expect(await journalLength(migration.jsonFile)).toBe(0)
    expect(await storedPaths(migration)).toEqual(['before-migrate', 'by-id', 'drained'])

    await advanceTo(migration, 'dual-write', 'db-primary')
    const late = entryFor('db-primary')
    await appendToJournal(migration.jsonFile, late)
    const inDatabase = await applyJournal(options, late)
    expect(inDatabase.phase).toBe('db-primary')
    expect(inDatabase.file).toBeNull()
    await appendToJournal(migration.jsonFile, late)
    expect((await applyJournal(options)).applied).toEqual([])
    expect(await storedPaths(migration)).toEqual([
      'before-migrate',
      'by-id',
      'db-primary',
      'drained',
    ])
    expect(await journalLength(migration.jsonFile)).toBe(0)
  })
})
