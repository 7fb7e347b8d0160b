import { readFile } from 'node:fs/promises'
import { InvocationIdAssigner, type LegacyInvocation } from '@skill-metrics/core'
import { generateLegacyFile } from '@skill-metrics/json-tracker'
import { DIALECTS } from '@skill-metrics/testing/databases'
import { inDualWrite, type Migration } from '@skill-metrics/testing/phase-walk'
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { migrateData } from '../src/backfill/data-migrator.js'
import { validateData } from '../src/backfill/data-validator.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

async function execute(migration: Migration, statements: string[]) {
  const { db } = migration
  if (db.target.dialect === 'sqlite') {
    const raw = new Database(db.target.path)
    for (const statement of statements) raw.exec(statement)
    raw.close()
    return
  }
  const client = new pg.Client({ connectionString: db.url })
  await client.connect()
  for (const statement of statements) await client.query(statement)
  await client.end()
}

describe.each(DIALECTS)('validation of a large file on %s', (dialect) => {
  // 12,000 records span a dozen of the validator's chunks and batches: the differences sit deep
  // in the file, past the first batch, one at a position held by another record.
  it('names each difference deep in the file as before: a field, an id, records out of place', async () => {
    const migration = await inDualWrite(dialect)
    cleanups.push(migration.db.drop)
    await generateLegacyFile(migration.jsonFile, { invocations: 12_000, overwrite: true })
    await migrateData(migration)
    expect((await validateData({ ...migration, dryRun: true })).clean).toBe(true)
    const file = JSON.parse(await readFile(migration.jsonFile, 'utf8')) as {
      invocations: Array<LegacyInvocation>
    }
    const ids = new InvocationIdAssigner()
    const idOf = file.invocations.map((record) => ids.next(record))
    const forged = '00000000-0000-5000-8000-000000000000'
    await execute(migration, [
      `UPDATE skill_invocation SET follow_up_actions = '["forged"]' WHERE seq = 9876`,
      `UPDATE skill_invocation SET id = '${forged}' WHERE seq = 11002`,
      // Positions 7000 and 7001 swapped, and one of the two records changed.
      'UPDATE skill_invocation SET seq = -1 WHERE seq = 7000',
      'UPDATE skill_invocation SET seq = 7000 WHERE seq = 7001',
      "UPDATE skill_invocation SET seq = 7001, error_type = 'forged' WHERE seq = -1",
    ])
    const report = await validateData({ ...migration, dryRun: true })
    expect(report.clean).toBe(false)
    expect(report.invocations.compared).toBe(12_000)
    expect(report.invocations.mismatched).toEqual([
      {
        id: idOf[7000],
        index: 7000,
        diffs: [{ field: 'error_type', json: file.invocations[7000]!.error_type, db: 'forged' }],
      },
      {
        id: idOf[9876],
        index: 9876,
        diffs: [
          {
            field: 'follow_up_actions',
            json: file.invocations[9876]!.follow_up_actions,
            db: ['forged'],
          },
        ],
      },
    ])
    expect(report.invocations.missing).toEqual([{ id: idOf[11002], index: 11002 }])
    expect(report.invocations.extra).toEqual([forged])
    expect(report.skills.mismatched).toEqual([])
  })
})
