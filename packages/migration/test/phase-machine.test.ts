import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ExitCode, RefusedError, UsageError } from '@skill-metrics/core'
import { PhaseStore, SchemaRunner } from '@skill-metrics/db-store'
import { JsonFileTracker } from '@skill-metrics/json-tracker'
import { DIALECTS, freshDatabase, type TestDatabase } from '@skill-metrics/testing/databases'
import { afterEach, describe, expect, it } from 'vitest'
import { migrationStatus } from '../src/operations/status.js'
import { dualWriteGuard } from '../src/phases/guards.js'
import { readPhaseCopy } from '../src/phases/phase-copy.js'
import { transition } from '../src/phases/transition.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

async function setUp(dialect: 'sqlite' | 'postgres', { migrate = true } = {}) {
  const db: TestDatabase = await freshDatabase(dialect)
  cleanups.push(db.drop)
  if (migrate) {
    const runner = await SchemaRunner.open({ target: db.target })
    await runner.migrate()
    await runner.close()
  }
  const jsonFile = join(await mkdtemp(join(tmpdir(), 'sm-phase-')), 'skill_metrics.json')
  await (await new JsonFileTracker({ file: jsonFile }).trackInvocation('review'))()
  return { db, jsonFile }
}

const toDualWrite = (db: TestDatabase, jsonFile: string, extra = {}) =>
  transition({
    jsonFile,
    target: db.target,
    to: 'dual-write',
    from: ['json-only'],
    guard: dualWriteGuard(),
    ...extra,
  })

const thrown = async (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  )

describe.each(DIALECTS)('the phase machine on %s', (dialect) => {
  it('starts at json-only, moves to dual-write with a new epoch, an audit row and the copy beside the file', async () => {
    const { db, jsonFile } = await setUp(dialect)
    expect((await migrationStatus(jsonFile, db.target)).phase).toBe('json-only')
    const outcome = await toDualWrite(db, jsonFile)
    expect(outcome).toMatchObject({ from: 'json-only', to: 'dual-write', epoch: 1, forced: false })
    expect(outcome.checks.every((check) => check.ok)).toBe(true)
    expect(await readPhaseCopy(jsonFile)).toMatchObject({
      phase: 'dual-write',
      epoch: 1,
      transitioning: false,
    })
    const status = await migrationStatus(jsonFile, db.target)
    expect(status).toMatchObject({
      phase: 'dual-write',
      epoch: 1,
      phaseSource: 'database',
      transitioning: false,
    })
    expect(status.history[0]).toMatchObject({
      from_phase: 'json-only',
      to_phase: 'dual-write',
      result: 'ok',
      forced: false,
    })
    expect(status.legacy).toMatchObject({ valid: true, invocations: 1, skills: 1 })
    expect(status.database).toMatchObject({ reachable: true, pendingVersions: [] })

    const again = (await thrown(toDualWrite(db, jsonFile))) as RefusedError
    expect(again).toBeInstanceOf(RefusedError)
    expect(again.exitCode).toBe(ExitCode.refused)
    expect(again.message).toBe('phase is dual-write; dual-write goes from json-only')
  })

  it('refuses with the guard’s reasons, records the refusal, and --force needs and records a reason', async () => {
    const { db, jsonFile } = await setUp(dialect)
    const text = await readFile(jsonFile, 'utf8')
    // A foreign writer: the original Python tracker rewrites the file without our lock.
    await writeFile(jsonFile, text.replace('"total_invocations": 1', '"total_invocations": 2'))
    const refused = (await thrown(toDualWrite(db, jsonFile))) as RefusedError
    expect(refused).toBeInstanceOf(RefusedError)
    expect(refused.message).toMatch(/changed by a writer that is not skill-metrics/)
    expect(refused.nextStep).toContain('--force --reason')
    const store = await PhaseStore.open(db.target)
    cleanups.unshift(() => store.close())
    expect((await store.state()).phase).toBe('json-only')
    expect((await store.history())[0]).toMatchObject({
      result: expect.stringMatching(/^refused: /),
      to_phase: 'dual-write',
    })
    expect(await readPhaseCopy(jsonFile)).toBeNull()

    expect(await thrown(toDualWrite(db, jsonFile, { force: true }))).toBeInstanceOf(UsageError)
    const forced = await toDualWrite(db, jsonFile, {
      force: true,
      reason: 'the Python tool is gone',
    })
    expect(forced).toMatchObject({ forced: true, epoch: 1 })
    expect((await store.history())[0]).toMatchObject({
      forced: true,
      reason: 'the Python tool is gone',
      result: 'ok',
    })
  })

  it('refuses a legacy file that breaks the schema, naming the record', async () => {
    const { db, jsonFile } = await setUp(dialect)
    await writeFile(
      jsonFile,
      '{"invocations": [{"skill_name": "s", "invoked_at": "noon"}], "skills": {}}',
    )
    const refused = (await thrown(toDualWrite(db, jsonFile))) as RefusedError
    expect(refused.message).toMatch(/invocations\[0\]\.invoked_at: "noon" is not an ISO-8601/)
  })

  it('a dry run decides without writing anything', async () => {
    const { db, jsonFile } = await setUp(dialect)
    const planned = await toDualWrite(db, jsonFile, { dryRun: true })
    expect(planned).toMatchObject({ to: 'dual-write', epoch: 1, dryRun: true })
    expect(await readPhaseCopy(jsonFile)).toBeNull()
    expect((await migrationStatus(jsonFile, db.target)).history).toEqual([])
  })

  it('needs the schema at the latest version, and status says what is pending', async () => {
    const { db, jsonFile } = await setUp(dialect, { migrate: false })
    const refused = (await thrown(toDualWrite(db, jsonFile))) as RefusedError
    // A SQLite database not created yet is said not to exist; an empty PostgreSQL one is at V0.
    expect(refused.message).toMatch(
      /(schema is at V0|does not exist yet); the phase machine needs V\d+/,
    )
    const status = await migrationStatus(jsonFile, db.target)
    expect(status.phase).toBe('json-only')
    expect(status.phaseSource).toBe('default')
    expect(status.database.pendingVersions.length).toBeGreaterThan(0)
  })
})

describe('status without a database', () => {
  it('reads the phase from the copy beside the file and names the problem', async () => {
    const { db, jsonFile } = await setUp('sqlite')
    await toDualWrite(db, jsonFile)
    const status = await migrationStatus(jsonFile, {
      dialect: 'postgres',
      url: 'postgres://postgres@127.0.0.1:1/none',
      schema: undefined,
      display: 'postgres://postgres@127.0.0.1:1/none',
    })
    expect(status).toMatchObject({ phase: 'dual-write', epoch: 1, phaseSource: 'copy' })
    expect(status.database.reachable).toBe(false)
    expect(status.database.problem).toMatch(/ECONNREFUSED|connect/)
  })
})
