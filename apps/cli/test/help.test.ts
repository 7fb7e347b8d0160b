import { execFileSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { RUNBOOK } from '../src/runbook-output.js'
import { copyFixture, makeTempDir, removeDir, runCli } from './support.js'

interface Manifest {
  commands: Record<string, { examples?: unknown[] }>
}
const manifest = async (): Promise<Manifest> =>
  JSON.parse(await readFile(new URL('../oclif.manifest.json', import.meta.url), 'utf8'))

let dir: string
beforeEach(async () => {
  dir = await makeTempDir()
})
afterEach(() => removeDir(dir))

describe('help', () => {
  it('every command has examples', async () => {
    const commands = Object.entries((await manifest()).commands)
    expect(commands.length).toBeGreaterThan(20)
    const without = commands.filter(([, command]) => (command.examples ?? []).length === 0)
    expect(without.map(([id]) => id)).toEqual([])
  })

  it('runbook prints the steps in order, each a command that exists', async () => {
    const ids = Object.keys((await manifest()).commands).map((id) => id.replaceAll(':', ' '))
    expect(RUNBOOK.map((step) => step.command).filter((command) => !ids.includes(command))).toEqual(
      [],
    )
    const run = await runCli(['runbook'], { cwd: dir })
    expect(run.exitCode, run.stderr).toBe(0)
    const printed = [...run.stdout.matchAll(/^ +(\d) +skill-metrics ([a-z -]+?) {2,}/gm)]
    expect(printed.map(([, step, command]) => [Number(step), command])).toEqual(
      RUNBOOK.map((step) => [step.step, step.command]),
    )
    const help = await runCli(['--help'], { cwd: dir })
    expect(help.stdout).toContain('skill-metrics runbook')
  })

  it('a mistyped command names the closest one (exit 2)', async () => {
    const run = await runCli(['statsu'], { cwd: dir })
    expect(run.exitCode).toBe(2)
    expect(run.stderr.replace(/\s+›\s+/g, ' ')).toContain(
      'statsu is not a skill-metrics command. Did you mean status?',
    )
    const topic = await runCli(['schema', 'statsu'], { cwd: dir })
    expect(topic.stderr.replace(/\s+›\s+/g, ' ')).toContain('Did you mean schema status?')
  })
})

describe('tables', () => {
  it('schema status has column headers like Flyway info', async () => {
    const db = `sqlite:${join(dir, 'metrics.db')}`
    expect((await runCli(['schema', 'migrate', '--db', db], { cwd: dir })).exitCode).toBe(0)
    const run = await runCli(['schema', 'status', '--db', db], { cwd: dir })
    expect(run.stdout).toMatch(/│ Version │ Description +│ Type │ Installed On +│ State +│/)
    expect(run.stdout).toMatch(/│ 1 +│ initial schema +│ SQL +│ \d{4}-\d\d-\d\dT\S+ │ applied +│/)
  })

  it('metrics has a rule under the headers only, none between rows', async () => {
    const file = await copyFixture('small', dir)
    const run = await runCli(['metrics', '--json-file', file], { cwd: dir })
    const lines = run.stdout.split('\n')
    // The outline above and below, and the one rule under the headers.
    expect(lines.filter((line) => /^[┌├└]/.test(line)).map((line) => line[0])).toEqual([
      '┌',
      '├',
      '└',
    ])
    expect(lines.filter((line) => line.startsWith('│')).length).toBeGreaterThan(3)
  })
})

describe('colour of the check marks', () => {
  const csi = '\u001b['
  // A database without the schema: FAIL for the schema, ok for the connection.
  const health = (env: Record<string, string>) =>
    runCli(['health', '--db', `sqlite:${join(dir, 'metrics.db')}`], { cwd: dir, env })

  it('none without a terminal; FORCE_COLOR colours FAIL and ok', async () => {
    const plain = await health({})
    expect(plain.stdout).toMatch(/^FAIL schema at the latest version/m)
    expect(plain.stdout).toMatch(/^ok {3}database reachable/m)
    expect(plain.stdout).not.toContain(csi)
    const forced = await health({ FORCE_COLOR: '1' })
    expect(forced.stdout).toContain(`${csi}31m${csi}1mFAIL`)
    expect(forced.stdout).toContain(`${csi}32mok${csi}39m   database reachable`)
  })

  // util-linux's script(1) gives the CLI a terminal, as an operator's shell would.
  const hasScript = (() => {
    try {
      execFileSync('script', ['--version'], { stdio: 'ignore' })
      return true
    } catch {
      return false
    }
  })()
  it.skipIf(!hasScript)('on a terminal, unless NO_COLOR is set', async () => {
    const cli = fileURLToPath(new URL('../bin/run.js', import.meta.url))
    const onTerminal = (NO_COLOR?: string) =>
      execa('script', ['-qec', `node ${cli} health --db sqlite:metrics.db`, '/dev/null'], {
        cwd: dir,
        reject: false,
        env: { CI: undefined, FORCE_COLOR: undefined, NO_COLOR },
      })
    expect((await onTerminal()).stdout).toContain(`${csi}32mok`)
    expect((await onTerminal('1')).stdout).not.toContain(csi)
  })
})
