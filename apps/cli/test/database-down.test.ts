import { writeFile } from 'node:fs/promises'
import { listenSilently } from '@skill-metrics/testing/silent-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliRun, copyFixture, makeTempDir, removeDir, runCommand } from './support.js'

// Every case starts its own processes in its own folder: they run side by side.
let silent: Awaited<ReturnType<typeof listenSilently>>
const dirs: string[] = []
beforeAll(async () => {
  silent = await listenSilently()
})
afterAll(async () => {
  await silent.close()
  for (const dir of dirs) await removeDir(dir)
})

const COMMANDS: Record<string, string[]> = {
  'schema migrate': ['schema', 'migrate'],
  'data migrate': ['data', 'migrate'],
  cutover: ['cutover'],
  'metrics --source db': ['metrics', '--source', 'db'],
  'track in db-primary': ['track', 'review', '--duration', '1'],
}

/** A legacy file, with the phase copy of db-primary beside it for `track`. */
async function workspace(): Promise<{ cwd: string; file: string }> {
  const cwd = await makeTempDir('sm-db-down-')
  dirs.push(cwd)
  const file = await copyFixture('small', cwd)
  const copy = { phase: 'db-primary', epoch: 4, transitioning: false, updated_at: '2025-01-06' }
  await writeFile(`${file}.phase.json`, `${JSON.stringify(copy)}\n`)
  return { cwd, file }
}

async function run(command: string, db: string, extra: string[] = [], env = {}): Promise<CliRun> {
  const { cwd, file } = await workspace()
  return runCommand([...COMMANDS[command]!, '--db', db, '--json-file', file, ...extra], {
    cwd,
    env,
  })
}

/** Exit 4 and one line on stderr naming `where` and what to check; no stack, no password. */
function expectRefusal(result: CliRun, where: string, what: RegExp): void {
  expect(result.exitCode, result.stderr).toBe(4)
  expect(result.stderr.split('\n')).toHaveLength(1)
  expect(result.stderr).toMatch(/^Error: /)
  expect(result.stderr).toContain(where)
  expect(result.stderr).toMatch(what)
  expect(result.stderr).toMatch(/; check /)
  expect(result.stderr).not.toMatch(/^\s+at /m)
  expect(result.stderr).not.toContain('hunter2')
  expect(result.stdout).not.toContain('hunter2')
}

// A CLI process costs 1-2 s of start-up: every command meets the closed port, and each other way
// of being down is met by one or two of them.
describe.concurrent('a database that is down is exit 4 on one line, never a bug', () => {
  it.each(Object.keys(COMMANDS))('%s: a closed port', async (command) => {
    const result = await run(command, 'postgres://postgres:hunter2@127.0.0.1:1/test')
    expectRefusal(result, 'postgres://postgres:***@127.0.0.1:1/test', /connection refused/)
  })

  // Without the time-out pg would wait for ever: the test's own time-out would fail it.
  it.each(['schema migrate', 'track in db-primary'])(
    '%s: a host that accepts and never answers, given up at --connect-timeout',
    async (command) => {
      const db = `postgres://postgres:hunter2@127.0.0.1:${silent.port}/test`
      const result = await run(command, db, ['--connect-timeout', '0.3'])
      expectRefusal(
        result,
        `127.0.0.1:${silent.port}`,
        /no answer within the connect time-out of 0\.3 s/,
      )
    },
  )

  it.each([
    [
      'schema migrate',
      'a role that does not exist',
      'nobody_here',
      'test',
      /authentication failed/,
    ],
    [
      'track in db-primary',
      'a database that does not exist',
      'postgres',
      'no_such_db',
      /not exist/,
    ],
  ])('%s: %s', async (command, _, role, database, what) => {
    const result = await run(command, `postgres://${role}:hunter2@127.0.0.1:5432/${database}`)
    expectRefusal(result, '127.0.0.1:5432', what)
  })

  it('metrics --source db: a host name that does not resolve', async () => {
    const result = await run(
      'metrics --source db',
      'postgres://postgres:hunter2@nonexistent.invalid/test',
    )
    expectRefusal(result, 'nonexistent.invalid:5432', /does not resolve/)
  })

  it('schema migrate: a SQLite path under a regular file cannot be created', async () => {
    const { cwd, file } = await workspace()
    const result = await runCommand(
      ['schema', 'migrate', '--db', `sqlite:${file}/metrics.db`, '--json-file', file],
      { cwd },
    )
    expectRefusal(result, `${file}/metrics.db`, /cannot open or create the SQLite database/)
  })

  it('SKILL_METRICS_CONNECT_TIMEOUT sets the time-out; a bad one is usage (2)', async () => {
    const db = `postgres://postgres@127.0.0.1:${silent.port}/test`
    const result = await run('data migrate', db, [], { SKILL_METRICS_CONNECT_TIMEOUT: '0.2' })
    expectRefusal(result, `127.0.0.1:${silent.port}`, /time-out of 0\.2 s/)
    const refused = await run('cutover', db, ['--connect-timeout', '0'])
    expect(refused.exitCode, refused.stderr).toBe(2)
    expect(refused.stderr).toContain('--connect-timeout')
  })

  it('DEBUG shows where it came from', async () => {
    const result = await run('schema migrate', 'postgres://postgres@127.0.0.1:1/test', [], {
      DEBUG: '1',
    })
    expect(result.exitCode).toBe(4)
    expect(result.stderr).toMatch(/Caused by: Error: connect ECONNREFUSED[\s\S]*\n\s+at /)
  })

  it('an in-memory SQLite database is refused where the result must last (3)', async () => {
    const result = await run('data migrate', 'sqlite::memory:')
    expect(result.exitCode, result.stderr).toBe(3)
    expect(result.stderr).toMatch(/^Error: --db: "sqlite::memory:" is an in-memory database/)
  })
})
