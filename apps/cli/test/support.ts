import { existsSync } from 'node:fs'
import { copyFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type FixtureName, fixturePath } from '@skill-metrics/testing/fixtures'
import { execa } from 'execa'

const cli = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const builtCommands = fileURLToPath(new URL('../dist/commands/track.js', import.meta.url))

export interface RunOptions {
  cwd: string
  env?: Record<string, string | undefined>
  /** Keep stdout's last newline, to compare output byte for byte. */
  keepFinalNewline?: boolean
}

export interface CliRun {
  exitCode: number
  stdout: string
  stderr: string
}

/** Spawns the built CLI (`node bin/run.js`), never throwing: tests assert on the exit code. */
export async function runCli(args: readonly string[], options: RunOptions): Promise<CliRun> {
  if (!existsSync(builtCommands)) {
    throw new Error('apps/cli is not built: run `pnpm --filter @skill-metrics/cli... build` first')
  }
  const run = await execa('node', [cli, ...args], {
    cwd: options.cwd,
    reject: false,
    stripFinalNewline: !options.keepFinalNewline,
    env: {
      // The developer's own settings must not leak into the tests.
      SKILL_METRICS_JSON_FILE: undefined,
      SKILL_METRICS_DB: undefined,
      // Plain text, as without a terminal: these would colour the FAIL and ok marks.
      CI: undefined,
      FORCE_COLOR: undefined,
      NO_COLOR: undefined,
      ...options.env,
    },
  })
  if (run.exitCode === undefined) throw new Error(`the CLI did not exit: ${run.message}`)
  return { exitCode: run.exitCode, stdout: run.stdout, stderr: run.stderr }
}

export async function makeTempDir(prefix = 'sm-cli-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix))
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
}

/** Copies a fixture into `dir` and returns the copy's path. */
export async function copyFixture(name: FixtureName, dir: string): Promise<string> {
  const target = join(dir, `${name}.json`)
  await copyFile(fixturePath(name), target)
  return target
}

// The repository's own fixtures are read only: tests copy them before any command runs on them.
export { expectContains, FIXTURE_NAMES, fixturePath } from '@skill-metrics/testing/fixtures'
