import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseUnavailableError, ExitCode, exitCodeOf, RefusedError } from '@skill-metrics/core'
import { listenSilently } from '@skill-metrics/testing/silent-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDataSource } from '../src/data-source.js'
import { asDatabaseFailure } from '../src/database-errors.js'
import { parseDatabaseUrl, requireLastingDatabase } from '../src/database-url.js'
import { requireLatestSchema } from '../src/schema/schema-gate.js'

const postgres = parseDatabaseUrl('postgres://me:hunter2@db.example/metrics')
const failure = (message: string, code?: string) => Object.assign(new Error(message), { code })

describe('a database that cannot be reached is the operator’s error, not a bug', () => {
  it.each([
    [failure('connect ECONNREFUSED 10.0.0.1:5432', 'ECONNREFUSED'), /connection refused/],
    [failure('getaddrinfo ENOTFOUND db.example', 'ENOTFOUND'), /does not resolve/],
    [failure('getaddrinfo EAI_AGAIN db.example', 'EAI_AGAIN'), /does not resolve/],
    [failure('timeout expired'), /no answer within the connect time-out of 10 s/],
    [failure('Connection terminated due to connection timeout'), /no answer within/],
    [failure('connect ETIMEDOUT 10.0.0.1:5432', 'ETIMEDOUT'), /no answer within/],
    [failure('connect EHOSTUNREACH 10.0.0.1:5432', 'EHOSTUNREACH'), /no answer within/],
    [failure('Connection terminated unexpectedly'), /closed the connection/],
    [failure('read ECONNRESET', 'ECONNRESET'), /closed the connection/],
    [failure('password authentication failed for user "me"', '28P01'), /authentication failed/],
    [failure('role "me" does not exist', '28000'), /authentication failed/],
    [failure('database "metrics" does not exist', '3D000'), /database does not exist/],
    [failure('the database system is starting up', '57P03'), /takes no connection now/],
    [failure('sorry, too many clients already', '53300'), /takes no connection now/],
    [
      Object.assign(new AggregateError([failure('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')])),
      /connection refused/,
    ],
  ])('%s', (error, what) => {
    const mapped = asDatabaseFailure(error, postgres)
    expect(mapped).toBeInstanceOf(DatabaseUnavailableError)
    expect(exitCodeOf(mapped)).toBe(ExitCode.refused)
    const { message } = mapped as Error
    expect(message).toMatch(what)
    expect(message).toContain('db.example:5432')
    expect(message).toContain('me:***@')
    expect(message).not.toContain('hunter2')
    expect(message).toMatch(/; check /)
    expect(message).not.toContain('\n')
  })

  it('names the connect time-out the target was given', () => {
    const mapped = asDatabaseFailure(failure('timeout expired'), {
      ...postgres,
      connectTimeoutMs: 2_500,
    })
    expect((mapped as Error).message).toContain('time-out of 2.5 s')
  })

  it('leaves what is not about the connection as it was', () => {
    const syntax = failure('syntax error at or near "SELEC"', '42601')
    expect(asDatabaseFailure(syntax, postgres)).toBe(syntax)
    const plain = new TypeError('x is undefined')
    expect(asDatabaseFailure(plain, postgres)).toBe(plain)
    // A bare errno outside of opening may be any file's: not the database's to claim.
    const enoent = Object.assign(failure('ENOENT: no such file', 'ENOENT'), { syscall: 'open' })
    expect(asDatabaseFailure(enoent, parseDatabaseUrl('sqlite:/tmp/x.db'))).toBe(enoent)
  })
})

describe('opening a database', () => {
  let dir: string
  let silent: Awaited<ReturnType<typeof listenSilently>>
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sm-open-'))
    silent = await listenSilently()
  })
  afterAll(async () => {
    await silent.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('a SQLite path under a regular file, or a file that is not SQLite, cannot be opened (exit 4)', async () => {
    await writeFile(join(dir, 'plain'), 'not a folder\n')
    for (const path of [join(dir, 'plain', 'm.db'), join(dir, 'plain')]) {
      const opening = openDataSource(parseDatabaseUrl(`sqlite:${path}`))
      await expect(opening).rejects.toBeInstanceOf(DatabaseUnavailableError)
      await expect(opening).rejects.toThrow(path)
    }
  })

  it('a look at a SQLite database that is not there says so; one that could not be created is unavailable (exit 4)', async () => {
    const missing = join(dir, 'later', 'm.db')
    const looking = requireLatestSchema({
      target: parseDatabaseUrl(`sqlite:${missing}`),
      neededBy: 'the phase machine',
    })
    await expect(looking).rejects.toBeInstanceOf(RefusedError)
    await expect(looking).rejects.toThrow(
      `the database ${missing} does not exist yet; the phase machine needs V`,
    )
    await writeFile(join(dir, 'not-a-folder'), 'plain\n')
    const impossible = parseDatabaseUrl(`sqlite:${join(dir, 'not-a-folder', 'sub', 'm.db')}`)
    const refused = requireLatestSchema({ target: impossible, neededBy: 'the phase machine' })
    await expect(refused).rejects.toBeInstanceOf(DatabaseUnavailableError)
    await expect(refused).rejects.toThrow(/cannot open or create .*ENOTDIR/)
  })

  it('a server that accepts and never answers is given up at the connect time-out', async () => {
    const target = {
      ...parseDatabaseUrl(`postgres://postgres:hunter2@127.0.0.1:${silent.port}/test`),
      connectTimeoutMs: 200,
    }
    const started = performance.now()
    const opening = openDataSource(target)
    await expect(opening).rejects.toThrow(/no answer within the connect time-out of 0.2 s/)
    expect(performance.now() - started).toBeLessThan(2_000)
  })

  it('a closed port is refused at once', async () => {
    const opening = openDataSource(parseDatabaseUrl('postgres://postgres@127.0.0.1:1/test'))
    await expect(opening).rejects.toThrow(/127\.0\.0\.1:1 is unavailable: connection refused/)
  })
})

describe('in-memory SQLite', () => {
  it.each([
    'sqlite::memory:',
    'sqlite://:memory:',
    'sqlite:file::memory:',
    'sqlite:file::memory:?cache=shared',
    'sqlite:file:shared?mode=memory&cache=shared',
  ])('%s is in memory, refused where the result must last', (url) => {
    const target = parseDatabaseUrl(url, '/work')
    expect(target).toMatchObject({ dialect: 'sqlite', inMemory: true, path: ':memory:' })
    expect(() => requireLastingDatabase(target)).toThrow(/in-memory database/)
  })

  it('a file named after memory is a file', () => {
    expect(parseDatabaseUrl('sqlite:memory.db', '/work')).toMatchObject({ inMemory: false })
    expect(() => requireLastingDatabase(parseDatabaseUrl('sqlite:m.db', '/work'))).not.toThrow()
  })
})
