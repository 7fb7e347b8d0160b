import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createDataSource, parseDatabaseUrl } from '@skill-metrics/db-store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliRun, fixturePath, makeTempDir, removeDir, runCli, runCommand } from './support.js'

// Every command, in every exit path it can reach, prints exactly one JSON document on stdout
// under --json. The commands are listed from the commands folder, so a new one fails the
// coverage check below until its paths are added. Spawning the CLI costs about a second of CPU
// per run (loading the migration package), so the matrix runs the command classes in this
// process, as oclif's bin would; a few runs through real processes check the same on real stdout.

const root = fileURLToPath(new URL('..', import.meta.url))
const commandsDir = join(root, 'src', 'commands')
const bundledMigrations = fileURLToPath(new URL('../../../migrations', import.meta.url))

async function commandIds(): Promise<string[]> {
  const entries = await readdir(commandsDir, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(commandsDir, join(entry.parentPath, entry.name)))
    .map((path) => path.replace(/\.ts$/, '').split('/').join(' '))
    .sort()
}

/** Runs one command in this process (see runCommand): its exit code, stdout and stderr. */
const runHere = (id: string, argv: string[]): Promise<CliRun> =>
  runCommand([...id.split(' '), ...argv], { cwd: tmpdir() })

const jsonFileIn = (dir: string) => join(dir, 'skill_metrics.json')
const where = (dir: string, db = `sqlite:${join(dir, 'db.sqlite')}`) => [
  '--json',
  '--json-file',
  jsonFileIn(dir),
  '--db',
  db,
]

/** The states scenarios start from, each one step past the one before. */
const STATES = [
  ['fresh', null],
  ['json-only', ['schema migrate']],
  ['dual-write', ['phase dual-write']],
  ['migrated', ['data migrate', 'data validate']],
  ['dual-read', ['phase dual-read']],
  ['db-primary', ['cutover']],
] as const
type State = (typeof STATES)[number][0]

interface Scenario {
  /** What the run shows, for the test's name. */
  path: string
  state: State
  args: (dir: string) => string[]
  exit: number
  prepare?: (dir: string) => Promise<void>
  /** What else the one document must hold. */
  check?: (document: Record<string, unknown>) => void
}

const none = () => []
const ok = (state: State, args: (dir: string) => string[] = none): Scenario => ({
  path: 'success',
  state,
  args,
  exit: 0,
})

/** A record the legacy schema rejects; the file stays valid JSON. */
async function rejectOneRecord(dir: string) {
  const text = await readFile(jsonFileIn(dir), 'utf8')
  await writeFile(jsonFileIn(dir), text.replace('"completed": true', '"completed": "yes"'))
}

/** Migrations of its own, applied, one of them edited since: schema drift. */
async function driftedSchema(dir: string) {
  const migrations = join(dir, 'migrations')
  await cp(bundledMigrations, migrations, { recursive: true, dereference: true })
  const migrate = await runHere('schema migrate', [...where(dir), '--migrations-dir', migrations])
  expect(migrate.exitCode, migrate.stdout).toBe(0)
  await writeFile(
    join(migrations, 'V1__initial_schema.sql'),
    `${await readFile(join(migrations, 'V1__initial_schema.sql'), 'utf8')}\n-- edited\n`,
  )
}
const ownMigrations = (dir: string) => ['--migrations-dir', join(dir, 'migrations')]

const healthShape = (document: Record<string, unknown>) => {
  expect(typeof document.ok).toBe('boolean')
  expect(Array.isArray(document.checks)).toBe(true)
}

/** Per command: success first, then the failures it can reach besides usage and a bad --db. */
const SCENARIOS: Record<string, Scenario[]> = {
  track: [ok('fresh', () => ['review', '--duration', '1'])],
  'journal apply': [
    ok('fresh'),
    { path: 'an entry that is not one', state: 'fresh', args: () => ['--entry', '{}'], exit: 2 },
  ],
  metrics: [
    ok('fresh'),
    { path: 'an unknown skill', state: 'fresh', args: () => ['nope'], exit: 3 },
  ],
  summary: [ok('fresh')],
  runbook: [ok('fresh')],
  report: [ok('fresh')],
  export: [ok('fresh', (dir) => [join(dir, 'out.json')])],
  generate: [
    ok('fresh', (dir) => [join(dir, 'generated.json'), '--invocations', '5']),
    {
      path: 'an existing file',
      state: 'fresh',
      args: (dir) => [jsonFileIn(dir), '--invocations', '5'],
      exit: 4,
    },
  ],
  status: [
    {
      ...ok('json-only'),
      check: (document) => expect(document.next).toBe('skill-metrics phase dual-write'),
    },
  ],
  health: [
    { ...ok('dual-write'), check: healthShape },
    {
      path: 'a failed check',
      state: 'fresh',
      args: none,
      exit: 4,
      check: (document) => {
        healthShape(document)
        expect(document.ok).toBe(false)
        expect(document.checks).toContainEqual(
          expect.objectContaining({ name: 'schema at the latest version', ok: false }),
        )
      },
    },
  ],
  'phase dual-write': [
    ok('json-only'),
    { path: 'the phase moved on', state: 'dual-write', args: none, exit: 4 },
  ],
  'data migrate': [
    ok('dual-write'),
    {
      path: 'a rejected record',
      state: 'dual-write',
      args: none,
      exit: 3,
      prepare: rejectOneRecord,
      check: (document) => expect(document.rejected).toHaveLength(1),
    },
    { path: 'json-only', state: 'json-only', args: none, exit: 4 },
  ],
  'data validate': [
    ok('migrated'),
    {
      path: 'a difference',
      state: 'dual-write',
      args: none,
      exit: 5,
      check: (document) => expect(document).toMatchObject({ clean: false, advancedTo: null }),
    },
    {
      path: '--dry-run with --force',
      state: 'migrated',
      args: () => ['--dry-run', '--force', '--reason', 'r'],
      exit: 2,
    },
  ],
  'phase dual-read': [
    ok('migrated'),
    { path: 'not migrated', state: 'dual-write', args: none, exit: 4 },
  ],
  cutover: [ok('dual-read'), { path: 'not dual-read', state: 'migrated', args: none, exit: 4 }],
  rollback: [
    ok('db-primary'),
    { path: 'json-only', state: 'json-only', args: () => ['--to', 'dual-write'], exit: 4 },
  ],
  cleanup: [
    ok('db-primary', () => ['--force', '--reason', 'test']),
    { path: 'within the retention period', state: 'db-primary', args: none, exit: 4 },
  ],
  'schema migrate': [
    ok('fresh'),
    {
      path: 'an edited file',
      state: 'fresh',
      args: ownMigrations,
      exit: 4,
      prepare: driftedSchema,
    },
  ],
  'schema status': [ok('json-only')],
  'schema validate': [
    ok('json-only'),
    { path: 'drift', state: 'fresh', args: ownMigrations, exit: 5, prepare: driftedSchema },
  ],
  'schema rollback': [
    ok('json-only', () => ['--to', '4']),
    {
      path: 'below what the phase needs',
      state: 'dual-write',
      args: () => ['--to', '3'],
      exit: 4,
    },
  ],
  'schema baseline': [
    ok('fresh', () => ['--version', '5']),
    {
      path: 'a database with history',
      state: 'json-only',
      args: () => ['--version', '5'],
      exit: 4,
    },
  ],
  'schema repair': [ok('json-only')],
}

let base: string
const stateDirs = new Map<State, string>()
let scenarios = 0

beforeAll(async () => {
  base = await makeTempDir('sm-json-')
  let previous: string | undefined
  for (const [state, steps] of STATES) {
    const dir = join(base, `state-${state}`)
    if (previous === undefined) {
      await mkdir(dir)
      await writeFile(jsonFileIn(dir), await readFile(fixturePath('small')))
    } else await copyState(previous, dir)
    for (const step of steps ?? []) {
      const run = await runHere(step, where(dir))
      expect(run.exitCode, `${state}: ${step}: ${run.stdout}`).toBe(0)
    }
    stateDirs.set(state, dir)
    previous = dir
  }
})
afterAll(() => removeDir(base))

/** A copy of the state's folder, for one run to change as it likes. */
async function copyOf(state: State): Promise<string> {
  scenarios += 1
  const dir = join(base, `run-${scenarios}`)
  await copyState(stateDirs.get(state)!, dir)
  return dir
}

/**
 * A state's folder copied elsewhere is a moved pair: the copy beside the legacy file names the
 * database at its old path, and the database the file at its old path, and commands refuse
 * that. Both are pointed at the new folder.
 */
async function copyState(from: string, to: string): Promise<void> {
  await cp(from, to, { recursive: true })
  const phaseCopy = `${jsonFileIn(to)}.phase.json`
  const text = await readFile(phaseCopy, 'utf8').catch(() => null)
  if (text === null) return
  await writeFile(phaseCopy, text.replaceAll(from, to))
  const database = await createDataSource(parseDatabaseUrl(`sqlite:${join(to, 'db.sqlite')}`))
  await database.initialize()
  try {
    await database.query('UPDATE legacy_source SET path = ?', [jsonFileIn(to)])
  } finally {
    await database.destroy()
  }
}

/** The whole of stdout is one JSON document (JSON.parse refuses "extra data"); a failure carries its exit code. */
function oneDocument(run: CliRun, exit: number): Record<string, unknown> {
  expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(exit)
  const document = JSON.parse(run.stdout) as Record<string, unknown>
  expect(typeof document).toBe('object')
  if (exit === 0) expect(document).not.toHaveProperty('error')
  else expect(document.error).toMatchObject({ exitCode: exit, message: expect.any(String) })
  return document
}

const ids = await commandIds()

it('every command has its exit paths listed here', () => {
  expect(Object.keys(SCENARIOS).sort()).toEqual(ids)
  for (const id of ids) expect(SCENARIOS[id]![0]!.exit, id).toBe(0)
})

describe.each(ids)('%s --json prints one JSON document', (id) => {
  const scenarios = SCENARIOS[id] ?? []
  const success = scenarios[0]

  it.each(scenarios.map((scenario) => [`${scenario.path}: exit ${scenario.exit}`, scenario]))(
    '%s',
    async (_, scenario) => {
      const dir = await copyOf(scenario.state)
      await scenario.prepare?.(dir)
      const document = oneDocument(
        await runHere(id, [...scenario.args(dir), ...where(dir)]),
        scenario.exit,
      )
      scenario.check?.(document)
    },
  )

  it('an unknown flag: usage, exit 2', async () => {
    const dir = await copyOf('fresh')
    const run = await runHere(id, [...(success?.args(dir) ?? []), '--no-such-flag', ...where(dir)])
    expect(oneDocument(run, 2).error).toMatchObject({ code: 'USAGE' })
  })

  it('a --db that is no URL: bad input, exit 3', async () => {
    const dir = await copyOf('fresh')
    const run = await runHere(id, [...(success?.args(dir) ?? []), ...where(dir, 'nope:x')])
    expect(oneDocument(run, 3).error).toMatchObject({ code: 'BAD_INPUT' })
  })
})

describe('data validate --dry-run', () => {
  it('compares and reports, records no validation and moves no phase', async () => {
    const dir = await copyOf('dual-write')
    expect((await runHere('data migrate', where(dir))).exitCode).toBe(0)
    const report = join(dir, 'report.json')
    const run = oneDocument(
      await runHere('data validate', ['--dry-run', '--report', report, ...where(dir)]),
      0,
    )
    expect(run).toMatchObject({ clean: true, dryRun: true, advancedTo: null })
    expect(JSON.parse(await readFile(report, 'utf8'))).toMatchObject({ clean: true })
    const status = oneDocument(await runHere('status', where(dir)), 0)
    expect(status).toMatchObject({ phase: 'dual-write', lastValidation: null })
  })
})

describe('through real processes, stdout is one JSON document', () => {
  it.concurrent.each([
    ['data migrate with a rejected record', ['data', 'migrate'], 3, rejectOneRecord],
    ['data validate with differences', ['data', 'validate'], 5, undefined],
    ['health with a failed check', ['health'], 4, undefined],
  ] as const)('%s', async (_, args, exit, prepare) => {
    const dir = await copyOf(exit === 4 ? 'fresh' : 'dual-write')
    await prepare?.(dir)
    const document = oneDocument(await runCli([...args, ...where(dir)], { cwd: dir }), exit)
    expect(Object.keys(document).length).toBeGreaterThan(1)
  })
})
