import { readFile, writeFile } from 'node:fs/promises'
import * as jsonTracker from '@skill-metrics/json-tracker'
import { generateLegacyFile, JsonFileTracker } from '@skill-metrics/json-tracker'
import { DIALECTS } from '@skill-metrics/testing/databases'
import { inDualWrite, type Migration } from '@skill-metrics/testing/phase-walk'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type MigrateProgress, migrateData } from '../src/backfill/data-migrator.js'
import { runValidation } from '../src/backfill/data-validator.js'

// The lock `data migrate` takes for its pass under the lock, so that a test can write between the
// bulk pass and that one, as writers do while a backfill runs. The tracker's own writes take the
// lock through its module, not through this one.
vi.mock('@skill-metrics/json-tracker', async (importOriginal) => {
  const real = await importOriginal<typeof jsonTracker>()
  return { ...real, withWritersLock: vi.fn(real.withWritersLock) }
})

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
  vi.mocked(jsonTracker.withWritersLock).mockClear()
})

async function setUp(dialect: 'sqlite' | 'postgres'): Promise<Migration> {
  const migration = await inDualWrite(dialect)
  cleanups.push(migration.db.drop)
  await generateLegacyFile(migration.jsonFile, { invocations: 3_000, overwrite: true })
  return migration
}

/** `data migrate`, with `between` run after its bulk pass and before its pass under the lock. */
async function migrateWith(migration: Migration, between: () => Promise<void>) {
  const real = vi.mocked(jsonTracker.withWritersLock).getMockImplementation()!
  vi.mocked(jsonTracker.withWritersLock).mockImplementationOnce(async (...args) => {
    await between()
    return real(...args)
  })
  const passes = new Set<MigrateProgress['pass']>()
  const result = await migrateData({
    ...migration,
    batchSize: 1_000,
    onProgress: ({ pass }) => passes.add(pass),
  })
  return { result, readUnderLock: passes.has('final') }
}

/** What our writers do meanwhile: a new skill, and more of one the file has. */
async function ourWrites(migration: Migration) {
  const writer = new JsonFileTracker({ file: migration.jsonFile })
  await (await writer.trackInvocation('skill-after-the-bulk'))({ completed: true })
  const { skill_name } = JSON.parse(await readFile(migration.jsonFile, 'utf8')).invocations[0]
  await (await writer.trackInvocation(skill_name, { workflowPath: 'later' }))({
    completed: false,
    errorType: 'TimeoutError',
  })
  const pending = await writer.trackInvocation(skill_name)
  return pending
}

describe.each(DIALECTS)("data migrate's pass under the lock on %s", (dialect) => {
  it('syncs only what our writers logged since the bulk pass, and the database equals the file', async () => {
    const migration = await setUp(dialect)
    const { result, readUnderLock } = await migrateWith(migration, async () => {
      await ourWrites(migration)
    })
    expect(readUnderLock).toBe(false)
    expect(result).toMatchObject({ read: 3_003, inserted: 3_003, rejected: [] })
    const { report } = await runValidation(migration)
    expect(report.clean, JSON.stringify(report).slice(0, 2_000)).toBe(true)
  })

  it('reads the whole file again after a save that is not ours', async () => {
    const migration = await setUp(dialect)
    const { result, readUnderLock } = await migrateWith(migration, async () => {
      await ourWrites(migration)
      const document = JSON.parse(await readFile(migration.jsonFile, 'utf8'))
      document.invocations[10].error_type = 'EditedBehindOurBack'
      await writeFile(migration.jsonFile, JSON.stringify(document, null, 2))
    })
    expect(readUnderLock).toBe(true)
    expect(result).toMatchObject({ read: 3_003, rejected: [] })
    const { report } = await runValidation(migration)
    expect(report.clean, JSON.stringify(report).slice(0, 2_000)).toBe(true)
  })
})
