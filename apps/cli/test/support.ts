import { Console } from 'node:console'
import { existsSync } from 'node:fs'
import { copyFile, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { format } from 'node:util'
import { Config, run, settings } from '@oclif/core'
import { type FixtureName, fixturePath } from '@skill-metrics/testing/fixtures'
import { execa } from 'execa'
import { vi } from 'vitest'

const cliRoot = fileURLToPath(new URL('..', import.meta.url))
const cli = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const builtCommands = fileURLToPath(new URL('../dist/commands/track.js', import.meta.url))

export interface RunOptions {
  cwd: string
  env?: Record<string, string | undefined>
  /** Keep stdout's last newline, to compare output byte for byte. */
  keepFinalNewline?: boolean
  /** Standard input of a spawned run (`runCli`); none otherwise. */
  input?: string
}

export interface CliRun {
  exitCode: number
  stdout: string
  stderr: string
}

/** What every run starts from: the developer's own settings must not leak into the tests. */
const CLEAN_ENV = {
  SKILL_METRICS_JSON_FILE: undefined,
  SKILL_METRICS_DB: undefined,
  SKILL_METRICS_CONNECT_TIMEOUT: undefined,
  // Plain text, as without a terminal: these would colour the FAIL and ok marks.
  CI: undefined,
  FORCE_COLOR: undefined,
  NO_COLOR: undefined,
}

function requireBuilt(): void {
  if (!existsSync(builtCommands)) {
    throw new Error('apps/cli is not built: run `pnpm --filter @skill-metrics/cli... build` first')
  }
}

/**
 * Spawns the built CLI (`node bin/run.js`), never throwing: tests assert on the exit code. For
 * what needs a process of its own: signals, kill -9, runs racing each other, injected faults.
 */
export async function runCli(args: readonly string[], options: RunOptions): Promise<CliRun> {
  requireBuilt()
  const run = await execa('node', [cli, ...args], {
    cwd: options.cwd,
    reject: false,
    stripFinalNewline: !options.keepFinalNewline,
    env: { ...CLEAN_ENV, ...options.env },
    ...(options.input === undefined ? {} : { input: options.input }),
  })
  if (run.exitCode === undefined) throw new Error(`the CLI did not exit: ${run.message}`)
  return { exitCode: run.exitCode, stdout: run.stdout, stderr: run.stderr }
}

let config: Promise<Config> | undefined
let previousRun: Promise<unknown> = Promise.resolve()

/**
 * Runs the built CLI in this process, as `bin/run.js` does (oclif's `run` on the built commands):
 * the same parsing, output and exit code as `runCli` without a second of start-up per run, most
 * of it loading modules. Runs take turns (they share stdout, the working folder and the
 * environment); a test that needs runs at the same time spawns them with `runCli`.
 */
export function runCommand(args: readonly string[], options: RunOptions): Promise<CliRun> {
  const run = previousRun.then(() => runHere(args, options))
  previousRun = run.catch(() => {})
  return run
}

async function runHere(args: readonly string[], options: RunOptions): Promise<CliRun> {
  requireBuilt()
  // As bin/run.js: the built commands, never ./src through a transpiler (vitest sets NODE_ENV).
  settings.enableAutoTranspile = false
  config ??= Config.load(cliRoot)
  const loaded = await config
  const savedEnv = { ...process.env }
  const savedCwd = process.cwd()
  const stdout: string[] = []
  const stderr: string[] = []
  const capture =
    (into: string[]) =>
    (...parts: unknown[]) => {
      into.push(`${format(...parts)}\n`)
    }
  const written = (into: string[]) => (chunk: string | Uint8Array) => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
    return true
  }
  const log = vi.spyOn(console, 'log').mockImplementation(capture(stdout))
  const error = vi.spyOn(console, 'error').mockImplementation(capture(stderr))
  // Tables are drawn by ink, which writes to the streams and wants Node's console constructor
  // (vitest's console has none).
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(written(stdout))
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(written(stderr))
  if (!('Console' in console)) Object.assign(console, { Console })
  let exitCode: number
  try {
    for (const [name, value] of Object.entries({ ...CLEAN_ENV, ...options.env })) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
    process.chdir(options.cwd)
    await run([...args], loaded)
    exitCode = Number(process.exitCode ?? 0)
  } catch (thrown) {
    const exit = (thrown as { oclif?: { exit?: number } }).oclif?.exit
    if (exit === undefined) throw thrown
    exitCode = exit
  } finally {
    process.chdir(savedCwd)
    for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name]
    Object.assign(process.env, savedEnv)
    process.exitCode = undefined
    log.mockRestore()
    error.mockRestore()
    out.mockRestore()
    err.mockRestore()
  }
  const text = (lines: string[]) => {
    const joined = lines.join('')
    return options.keepFinalNewline ? joined : joined.replace(/\n$/, '')
  }
  return { exitCode, stdout: text(stdout), stderr: text(stderr) }
}

export async function makeTempDir(prefix = 'sm-cli-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix))
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
}

/**
 * Writes a legacy file that does not parse, dated a minute ago: one written just now may be a
 * lockless save still under way, which readers wait out for two seconds before they report it.
 */
export async function writeBrokenFile(path: string, content: string | Buffer): Promise<void> {
  await writeFile(path, content)
  const settled = new Date(Date.now() - 60_000)
  await utimes(path, settled, settled)
}

/** Copies a fixture into `dir` and returns the copy's path. */
export async function copyFixture(name: FixtureName, dir: string): Promise<string> {
  const target = join(dir, `${name}.json`)
  await copyFile(fixturePath(name), target)
  return target
}

// The repository's own fixtures are read only: tests copy them before any command runs on them.
export { expectContains, FIXTURE_NAMES, fixturePath } from '@skill-metrics/testing/fixtures'
