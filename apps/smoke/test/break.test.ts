import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { describe, expect, it } from 'vitest'

const smoke = fileURLToPath(new URL('../bin/run.js', import.meta.url))

describe('the smoke run fails when an invariant is broken on purpose', () => {
  it('a backfill that skips one invocation: exit 1, the missing invocation named', async () => {
    const run = await execa(
      'node',
      [
        smoke,
        '--dialect',
        'sqlite',
        '--invocations',
        '1000',
        '--writers',
        '2',
        '--break',
        'skip-backfill-record',
        '--json',
      ],
      { reject: false },
    )
    expect(run.exitCode, String(run.stderr)).toBe(1)
    const report = JSON.parse(String(run.stdout))
    expect(report.ok).toBe(false)
    expect(report.violations[0]).toMatchObject({
      step: 'data migrate',
      invariant: 'the database holds every invocation of the file',
    })
    expect(report.violations[0].detail).toMatch(
      /^invocation 0 of the file \(.+ at .+\) is missing from the database$/,
    )
  }, 240_000)

  it('refuses flags it does not know, with the usage (exit 2)', async () => {
    const run = await execa('node', [smoke, '--dialect', 'mysql'], { reject: false })
    expect(run.exitCode).toBe(2)
    expect(String(run.stderr)).toMatch(/--dialect: .*\nusage: pnpm smoke/)
  })
})
