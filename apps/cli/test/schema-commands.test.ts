import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  DIALECTS,
  freshDatabase,
  LATEST_VERSION,
  migrationsCopy,
  NEXT_VERSION,
  schemaCli,
  type TestDatabase,
} from './schema.js'

const created: TestDatabase[] = []
afterEach(async () => {
  for (const db of created.splice(0)) await db.drop()
})
async function database(dialect: 'sqlite' | 'postgres') {
  const db = await freshDatabase(dialect)
  created.push(db)
  return db
}

const fileOf = (dir: string, dialect: string, name: string) =>
  dialect === 'postgres' ? join(dir, 'postgres', name) : join(dir, name)

describe.each(DIALECTS)('skill-metrics schema on %s', (dialect) => {
  it('migrates, reports status, validates and rolls back, with --json', async () => {
    const db = await database(dialect)
    const migrate = await schemaCli(db, ['migrate'])
    expect(migrate.exitCode, migrate.stderr).toBe(0)
    expect(migrate.stdout).toMatch(/Applying V1 initial schema \.+ +\d+ statements/)
    expect(migrate.stdout).toContain(
      `Schema at V${LATEST_VERSION} (${LATEST_VERSION} applied now, 0 pending)`,
    )
    const status = await schemaCli(db, ['status', '--json'])
    expect(JSON.parse(status.stdout)).toMatchObject({
      current: LATEST_VERSION,
      latest: LATEST_VERSION,
      dialect,
    })
    expect((await schemaCli(db, ['validate'])).exitCode).toBe(0)
    const back = await schemaCli(db, ['rollback', '--to', '1', '--json'])
    expect(back.exitCode, back.stderr).toBe(0)
    expect(JSON.parse(back.stdout)).toMatchObject({ current: 1 })
    expect((await schemaCli(db, ['rollback'])).exitCode).toBe(2)
  })

  it('an edited applied file: validate exits 5 and migrate exits 4, naming the file and both checksums', async () => {
    const db = await database(dialect)
    const dir = await migrationsCopy()
    expect(
      (await schemaCli(db, ['migrate', '--migrations-dir', dir, '--target', '2'])).exitCode,
    ).toBe(0)
    const file = fileOf(dir, dialect, 'V2__add_percentile_fields.sql')
    await writeFile(
      file,
      (await readFile(file, 'utf8'))
        .replace('REAL;', 'REAL; ')
        .replace('PRECISION;', 'PRECISION; '),
    )
    const validate = await schemaCli(db, ['validate', '--migrations-dir', dir])
    expect(validate.exitCode).toBe(5)
    expect(validate.stderr).toMatch(
      /V2__add_percentile_fields\.sql changed after it was applied: forward part applied sha256 [0-9a-f]{64}, on disk sha256 [0-9a-f]{64}/,
    )
    expect(validate.stderr).toContain('skill-metrics schema repair --realign 2')
    const migrate = await schemaCli(db, ['migrate', '--migrations-dir', dir, '--json'])
    expect(migrate.exitCode).toBe(4)
    expect(JSON.parse(migrate.stdout).error.message).toContain('V2__add_percentile_fields.sql')
    const status = await schemaCli(db, ['status', '--migrations-dir', dir])
    expect(status.stdout).toMatch(
      /│ 2 +│ add percentile fields +│ SQL +│ \S+ +│ CHECKSUM MISMATCH +│/,
    )
    expect(status.stdout).toContain(
      'V2 V2__add_percentile_fields.sql: forward part edited after it was applied',
    )
  })

  it('a failed migration names the statement and the recovery command', async () => {
    const db = await database(dialect)
    const dir = await migrationsCopy()
    await writeFile(
      fileOf(dir, dialect, `V${NEXT_VERSION}__broken.sql`),
      'CREATE TABLE a4 (id INTEGER);\nCREATE TABLE b4 (id INTEGER);\nSELECT * FROM missing_table;\n',
    )
    const migrate = await schemaCli(db, ['migrate', '--migrations-dir', dir])
    expect(migrate.exitCode).toBe(4)
    expect(migrate.stderr).toContain(`V${NEXT_VERSION}__broken.sql failed at statement 3 of 3`)
    expect(migrate.stderr).toContain('schema repair')
    const status = await schemaCli(db, ['status', '--migrations-dir', dir])
    expect(status.stdout).toMatch(
      new RegExp(`V${NEXT_VERSION} V${NEXT_VERSION}__broken\\.sql failed at statement 3`),
    )
    expect((await schemaCli(db, ['validate', '--migrations-dir', dir])).exitCode).toBe(5)
  })

  it('--dry-run prints the SQL and leaves the database untouched', async () => {
    const db = await database(dialect)
    const dry = await schemaCli(db, ['migrate', '--dry-run'])
    expect(dry.exitCode, dry.stderr).toBe(0)
    expect(dry.stdout).toContain('-- Apply V1 initial schema (V1__initial_schema.sql)')
    expect(dry.stdout).toContain('CREATE TABLE skill_invocation (')
    const status = JSON.parse((await schemaCli(db, ['status', '--json'])).stdout)
    expect(status.current).toBe(0)
    if (db.target.dialect === 'sqlite') {
      const { existsSync } = await import('node:fs')
      expect(existsSync(db.target.path)).toBe(false)
    }
  })
})
