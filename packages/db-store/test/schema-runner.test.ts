import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BadInputError, ExitCode, InconsistencyError, RefusedError } from '@skill-metrics/core'
import { DIALECTS, freshDatabase, type TestDatabase } from '@skill-metrics/testing/databases'
import { LATEST_VERSION, NEXT_VERSION, versions } from '@skill-metrics/testing/versions'
import { afterEach, describe, expect, it } from 'vitest'
import { BUNDLED_MIGRATIONS_DIR, SchemaRunner } from '../src/schema/schema-runner.js'
import { catalogSnapshot, dumpSchema } from './schema-dump.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

async function database(dialect: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  const created = await freshDatabase(dialect)
  cleanups.push(created.drop)
  return created
}

async function runner(
  db: TestDatabase,
  migrationsDir?: string,
  readOnly = false,
): Promise<SchemaRunner> {
  const opened = await SchemaRunner.open({
    target: db.target,
    migrationsDir,
    readOnly,
    lockTimeoutMs: 5_000,
  })
  cleanups.unshift(() => opened.close())
  return opened
}

/** A private copy of the bundled migrations that a test may edit. */
async function migrationsCopy(): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'sm-migrations-')), 'migrations')
  await cp(BUNDLED_MIGRATIONS_DIR, dir, { recursive: true, dereference: true })
  return dir
}

/** Where a version's file lives for the dialect (PostgreSQL has its own copies). */
const fileOf = (dir: string, dialect: string, name: string) =>
  dialect === 'postgres' ? join(dir, 'postgres', name) : join(dir, name)

async function addMigration(dir: string, dialect: string, name: string, text: string) {
  await writeFile(fileOf(dir, dialect, name), text)
}

const thrown = async (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  )

describe.each(DIALECTS)('schema runner on %s', (dialect) => {
  it('migrate → rollback to 0 → migrate leaves the same schema, and each rollback undoes its version', async () => {
    const db = await database(dialect)
    const schema = await runner(db)
    const empty = await dumpSchema(db)
    const dumps = [empty]
    const latest = (await schema.status()).latest
    expect(latest).toBeGreaterThanOrEqual(3)
    for (let version = 1; version <= latest; version += 1) {
      await schema.migrate({ target: version })
      dumps.push(await dumpSchema(db))
      expect(dumps[version]).not.toBe(dumps[version - 1])
    }
    const status = await schema.status()
    expect(status.current).toBe(latest)
    expect(status.versions.every((version) => version.state === 'applied')).toBe(true)
    for (let version = latest - 1; version >= 0; version -= 1) {
      await schema.rollback({ to: version })
      expect(await dumpSchema(db), `after rolling back to V${version}`).toBe(dumps[version])
    }
    expect((await schema.status()).current).toBe(0)
    await schema.migrate()
    expect(await dumpSchema(db)).toBe(dumps[latest])
  })

  it('records version, script, both checksums, rollback SQL, time and success per migration', async () => {
    const db = await database(dialect)
    const schema = await runner(db)
    const steps = await schema.migrate()
    expect(steps.map((step) => step.version)).toEqual(versions(1))
    const status = await schema.status()
    expect(status.versions[0]).toMatchObject({
      version: 1,
      script: 'V1__initial_schema.sql',
      state: 'applied',
      kind: 'migrate',
    })
    expect(status.versions[0]!.migrationTimeMs).toBeGreaterThan(0)
    expect(await schema.migrate()).toEqual([])
  })

  it('refuses an edited applied file (one character, or only trailing whitespace), naming it and both checksums', async () => {
    for (const edit of [
      (text: string) => text.replace('skill_name TEXT NOT NULL', 'skill_name TEXT  NOT NULL'),
      (text: string) => text.replace('CREATE TABLE sessions (', 'CREATE TABLE sessions ( '),
      (text: string) =>
        text.replace('-- DROP TABLE IF EXISTS sessions;', '-- DROP TABLE IF EXISTS sessions ;'),
    ]) {
      const db = await database(dialect)
      const dir = await migrationsCopy()
      await (await runner(db, dir)).migrate({ target: 2 })
      const file = fileOf(dir, dialect, 'V1__initial_schema.sql')
      const original = await readFile(file, 'utf8')
      await writeFile(file, edit(original))
      // A pending file may be edited freely.
      const pending = fileOf(dir, dialect, 'V3__invocation_order.sql')
      await writeFile(pending, `${await readFile(pending, 'utf8')}\n-- a note\n`)
      const schema = await runner(db, dir)
      const invalid = (await thrown(schema.validate())) as InconsistencyError
      expect(invalid).toBeInstanceOf(InconsistencyError)
      expect(invalid.exitCode).toBe(ExitCode.inconsistency)
      expect(invalid.message).toContain('V1__initial_schema.sql')
      expect(invalid.message).toMatch(/applied sha256 [0-9a-f]{64}, on disk sha256 [0-9a-f]{64}/)
      expect(invalid.nextStep).toContain('schema repair --realign 1')
      const refused = (await thrown(schema.migrate())) as RefusedError
      expect(refused).toBeInstanceOf(RefusedError)
      expect(refused.exitCode).toBe(ExitCode.refused)
      expect(refused.message).toContain('V1__initial_schema.sql')
      expect((await schema.status()).current).toBe(2)
      // An intended edit is recorded with repair --realign, then migrate goes on.
      await schema.repair({ realign: [1] })
      await schema.validate()
      await schema.migrate()
      expect((await schema.status()).current).toBe(LATEST_VERSION)
    }
  })

  it('a migration failing on its third statement leaves the schema as it was until repaired', async () => {
    const db = await database(dialect)
    const dir = await migrationsCopy()
    const schema = await runner(db, dir)
    await schema.migrate()
    const before = await dumpSchema(db)
    const broken = `CREATE TABLE extra_a (id INTEGER PRIMARY KEY);\nCREATE TABLE extra_b (id INTEGER PRIMARY KEY);\nINSERT INTO no_such_table VALUES (1);\nCREATE TABLE extra_c (id INTEGER);\n-- Rollback migration\nDROP TABLE extra_c;\nDROP TABLE extra_b;\nDROP TABLE extra_a;\n`
    await addMigration(dir, dialect, `V${NEXT_VERSION}__extras.sql`, broken)
    const again = await runner(db, dir)
    const failure = (await thrown(again.migrate())) as RefusedError
    expect(failure).toBeInstanceOf(RefusedError)
    expect(failure.message).toMatch(
      `V${NEXT_VERSION}__extras.sql failed at statement 3 of 4 ("INSERT INTO no_such_table VALUES (1)")`,
    )
    expect(failure.nextStep).toContain('skill-metrics schema repair')
    expect(await dumpSchema(db)).toBe(before)
    const v4 = (await again.status()).versions.find((version) => version.version === NEXT_VERSION)!
    expect(v4.state).toBe('failed')
    expect(v4.failure?.statement).toBe(3)
    expect(v4.failure?.error).toMatch(/no_such_table/)
    expect(await thrown(again.migrate())).toBeInstanceOf(RefusedError)

    await addMigration(
      dir,
      dialect,
      `V${NEXT_VERSION}__extras.sql`,
      broken.replace('INSERT INTO no_such_table VALUES (1);\n', ''),
    )
    const fixed = await runner(db, dir)
    expect(await fixed.repair()).toHaveLength(1)
    await fixed.migrate()
    expect((await fixed.status()).current).toBe(NEXT_VERSION)
  })

  it('refuses a file that runs its own BEGIN/COMMIT, before running anything', async () => {
    const db = await database(dialect)
    const dir = await migrationsCopy()
    await addMigration(
      dir,
      dialect,
      `V${NEXT_VERSION}__own_transaction.sql`,
      'BEGIN;\nCREATE TABLE x (id INTEGER);\nCOMMIT;\n',
    )
    const schema = await runner(db, dir)
    const error = (await thrown(schema.migrate())) as BadInputError
    expect(error).toBeInstanceOf(BadInputError)
    expect(error.message).toContain(`V${NEXT_VERSION}__own_transaction.sql`)
    expect(error.message).toMatch(/may not control transactions/)
    expect((await schema.status()).current).toBe(0)
  })

  it('a no-transaction file that fails records the statements it applied and blocks until repair', async () => {
    const db = await database(dialect)
    const dir = await migrationsCopy()
    await addMigration(
      dir,
      dialect,
      `V${NEXT_VERSION}__outside.sql`,
      '-- skill-metrics: no-transaction\nCREATE TABLE outside_a (id INTEGER);\nINSERT INTO no_such_table VALUES (1);\n',
    )
    const schema = await runner(db, dir)
    const error = (await thrown(schema.migrate())) as RefusedError
    expect(error.message).toMatch(/statements 1\.\.1 stayed applied/)
    const v4 = (await schema.status()).versions.find((version) => version.version === NEXT_VERSION)!
    expect(v4).toMatchObject({ state: 'failed', failure: { statement: 2, statementsApplied: 1 } })
    expect(await thrown(schema.migrate())).toBeInstanceOf(RefusedError)
  })

  it('refuses when the database is newer than this tool, and pending files older than applied ones', async () => {
    const db = await database(dialect)
    const dir = await migrationsCopy()
    await addMigration(
      dir,
      dialect,
      `V${NEXT_VERSION + 1}__later.sql`,
      'CREATE TABLE later (id INTEGER);\n-- Rollback migration\nDROP TABLE later;\n',
    )
    await (await runner(db, dir)).migrate()
    const older = await runner(db)
    const newer = (await thrown(older.migrate())) as RefusedError
    expect(newer.message).toContain(
      `newer than this version of skill-metrics knows (V${LATEST_VERSION})`,
    )

    await addMigration(
      dir,
      dialect,
      `V${NEXT_VERSION}__late_arrival.sql`,
      'CREATE TABLE late (id INTEGER);\n',
    )
    const gap = await runner(db, dir)
    expect(
      (await gap.status()).versions.find((version) => version.version === NEXT_VERSION)?.state,
    ).toBe('out-of-order')
    expect(((await thrown(gap.migrate())) as Error).message).toMatch(
      `V${NEXT_VERSION}__late_arrival.sql is pending but older`,
    )
  })

  it('baseline adopts an existing schema without running it', async () => {
    const db = await database(dialect)
    const dir = await migrationsCopy()
    await (await runner(db, dir)).migrate({ target: 2 })
    // Forget the history, as if the schema had been created by hand.
    const reset = await runner(db, dir)
    await reset.rollback({ to: 2 })
    const { default: pg } = await import('pg')
    if (dialect === 'postgres') {
      const client = new pg.Client({ connectionString: db.url })
      await client.connect()
      await client.query('DELETE FROM schema_migrations')
      await client.end()
    } else {
      const { default: Database } = await import('better-sqlite3')
      const raw = new Database(db.target.dialect === 'sqlite' ? db.target.path : '')
      raw.prepare('DELETE FROM schema_migrations').run()
      raw.close()
    }
    const schema = await runner(db, dir)
    expect((await schema.status()).current).toBe(0)
    expect(await schema.baseline({ version: 2 })).toEqual([1, 2])
    expect(await thrown(schema.baseline({ version: 2 }))).toBeInstanceOf(RefusedError)
    const steps = await schema.migrate()
    expect(steps.map((step) => step.version)).toEqual(versions(3))
    expect((await schema.status()).versions[0]).toMatchObject({
      state: 'applied',
      kind: 'baseline',
    })
  })

  it('--dry-run plans the SQL and writes nothing', async () => {
    const db = await database(dialect)
    const schema = await runner(db)
    await schema.migrate({ target: 1 })
    const bytesBefore = dialect === 'sqlite' ? await snapshotFiles(db) : await catalogSnapshot(db)
    const historyBefore = await (await runner(db)).status()
    const readOnly = await runner(db, undefined, true)
    const planned = await readOnly.migrate({ dryRun: true })
    expect(planned.map((step) => step.version)).toEqual(versions(2))
    expect(planned[0]!.statements[0]).toMatch(
      /ALTER TABLE skill_metrics ADD COLUMN p50_duration_seconds/,
    )
    expect(await readOnly.repair({ dryRun: true })).toEqual([])
    await expect(readOnly.baseline({ version: 2, dryRun: true })).rejects.toThrow(
      /already recorded/,
    )
    const undo = await readOnly.rollback({ to: 0, dryRun: true })
    expect(undo.map((step) => step.version)).toEqual([1])
    expect(undo[0]!.statements).toContain('DROP TABLE IF EXISTS sessions')
    await readOnly.close()
    cleanups.shift()
    const bytesAfter = dialect === 'sqlite' ? await snapshotFiles(db) : await catalogSnapshot(db)
    expect(bytesAfter).toEqual(bytesBefore)
    expect(await (await runner(db)).status()).toEqual(historyBefore)
  })

  it('a dry run on a database that does not exist creates nothing', async () => {
    if (dialect !== 'sqlite') return
    const db = await database(dialect)
    const readOnly = await runner(db, undefined, true)
    expect((await readOnly.migrate({ dryRun: true })).length).toBe(LATEST_VERSION)
    const { existsSync } = await import('node:fs')
    expect(existsSync(db.target.dialect === 'sqlite' ? db.target.path : '')).toBe(false)
  })
})

describe.each(DIALECTS)('the schema lock on %s', (dialect) => {
  it('makes a second runner wait, then give up with exit 4, and is free once the holder is gone', async () => {
    const db = await database(dialect)
    let releaseHolder: () => Promise<void>
    if (dialect === 'postgres') {
      const { default: pg } = await import('pg')
      const holder = new pg.Client({ connectionString: db.url })
      await holder.connect()
      await holder.query(
        `SELECT pg_advisory_lock(hashtext('skill-metrics:schema:' || current_schema()))`,
      )
      // A connection that ends, as a killed runner's would, takes its advisory lock with it.
      releaseHolder = () => holder.end()
    } else {
      const { default: Database } = await import('better-sqlite3')
      const raw = new Database(db.target.dialect === 'sqlite' ? db.target.path : '')
      raw.exec(
        'CREATE TABLE schema_lock (id INTEGER PRIMARY KEY CHECK (id = 1), owner TEXT NOT NULL, expires_at INTEGER NOT NULL)',
      )
      raw
        .prepare('INSERT INTO schema_lock VALUES (1, ?, ?)')
        .run('a killed runner', Date.now() + 60_000)
      // A killed runner's row stops being refreshed and expires.
      releaseHolder = async () => {
        raw.prepare('UPDATE schema_lock SET expires_at = ?').run(Date.now() - 1)
        raw.close()
      }
    }
    const waiting = await SchemaRunner.open({ target: db.target, lockTimeoutMs: 300 })
    cleanups.unshift(() => waiting.close())
    const started = performance.now()
    const error = (await thrown(waiting.migrate())) as RefusedError
    expect(error.code).toBe('LOCK_TIMEOUT')
    expect(error.exitCode).toBe(ExitCode.refused)
    expect(performance.now() - started).toBeGreaterThanOrEqual(290)
    if (dialect === 'sqlite') expect(error.message).toContain('a killed runner')
    expect((await waiting.status()).current).toBe(0)
    await releaseHolder()
    await waiting.migrate()
    expect((await waiting.status()).current).toBe(LATEST_VERSION)
  })
})

describe('schema runner, SQLite specifics', () => {
  it('a table rebuild keeps the rows of foreign-key child tables', async () => {
    const db = await database('sqlite')
    const dir = await migrationsCopy()
    const schema = await runner(db, dir)
    await schema.migrate()
    const { default: Database } = await import('better-sqlite3')
    const path = db.target.dialect === 'sqlite' ? db.target.path : ''
    const seed = new Database(path)
    seed.pragma('foreign_keys = ON')
    seed.prepare("INSERT INTO sessions (id) VALUES ('s1')").run()
    seed.prepare("INSERT INTO skill_metrics (skill_name) VALUES ('review')").run()
    seed
      .prepare(
        "INSERT INTO session_skill (id, session_id, skill_name, first_invoked_at, last_invoked_at) VALUES ('x', 's1', 'review', 't', 't')",
      )
      .run()
    seed.close()
    const rebuild = (await readFile(join(dir, 'V1__initial_schema.sql'), 'utf8'))
      .split('CREATE TABLE skill_metrics (')[1]!
      .split(');')[0]!
    await addMigration(
      dir,
      'sqlite',
      `V${NEXT_VERSION}__rebuild_skill_metrics.sql`,
      `CREATE TABLE skill_metrics_new (${rebuild.replace('last_aggregated_at TIMESTAMP', 'p50_duration_seconds REAL,\n    p95_duration_seconds REAL,\n    p99_duration_seconds REAL,\n    position INTEGER,\n    last_completion_seq INTEGER,\n    note TEXT,\n    last_aggregated_at TIMESTAMP')});
INSERT INTO skill_metrics_new (skill_name, total_invocations) SELECT skill_name, total_invocations FROM skill_metrics;
DROP TABLE skill_metrics;
ALTER TABLE skill_metrics_new RENAME TO skill_metrics;
`,
    )
    // The control: with foreign keys on, dropping the parent cascades into the child table.
    const control = new Database(path)
    control.pragma('foreign_keys = ON')
    control.exec('BEGIN; DROP TABLE skill_metrics;')
    expect(control.prepare('SELECT count(*) AS n FROM session_skill').get()).toEqual({ n: 0 })
    control.exec('ROLLBACK')
    control.close()

    await (await runner(db, dir)).migrate()
    const check = new Database(path, { readonly: true })
    expect(check.prepare('SELECT count(*) AS n FROM session_skill').get()).toEqual({ n: 1 })
    expect(check.prepare('SELECT note FROM skill_metrics').get()).toEqual({ note: null })
    check.close()
  })

  it('refuses a file that needs a newer SQLite than this one', async () => {
    const db = await database('sqlite')
    const dir = await migrationsCopy()
    await addMigration(
      dir,
      'sqlite',
      `V${NEXT_VERSION}__future.sql`,
      '-- skill-metrics: requires sqlite 99.0.0\nCREATE TABLE future (id INTEGER);\n',
    )
    const error = (await thrown((await runner(db, dir)).migrate())) as RefusedError
    expect(error.message).toMatch(
      new RegExp(
        `V${NEXT_VERSION}__future\\.sql needs SQLite 99\\.0\\.0 or newer; this one is 3\\.`,
      ),
    )
  })
})

async function snapshotFiles(db: TestDatabase): Promise<Record<string, string>> {
  const path = db.target.dialect === 'sqlite' ? db.target.path : ''
  const files: Record<string, string> = {}
  for (const suffix of ['', '-wal']) {
    files[suffix] = await readFile(`${path}${suffix}`).then(
      (bytes) => bytes.toString('base64'),
      () => 'absent',
    )
  }
  return files
}

describe.runIf(DIALECTS.includes('postgres'))('a version without a PostgreSQL copy', () => {
  it('runs the shared file, and a database migrated while it had an identical copy validates clean', async () => {
    const db = await database('postgres')
    const withCopy = await migrationsCopy()
    const shared = join(withCopy, 'V5__backfill_checkpoints.sql')
    await writeFile(
      join(withCopy, 'postgres', 'V5__backfill_checkpoints.sql'),
      await readFile(shared),
    )
    await (await runner(db, withCopy)).migrate()

    const status = await (await runner(db)).validate()
    expect(status.current).toBe(LATEST_VERSION)
    expect(status.versions.map((version) => version.state)).toEqual(
      status.versions.map(() => 'applied'),
    )
  })
})
