import { fileURLToPath } from 'node:url'
import { DIALECTS, TEST_POSTGRES_URL } from '@skill-metrics/testing/databases'
import { execa } from 'execa'
import { describe, expect, it } from 'vitest'

const smoke = fileURLToPath(new URL('../bin/run.js', import.meta.url))

// The original Python tracker runs as a writer the tool does not control: CI must have python3,
// elsewhere its absence skips these runs with the reason printed, as PostgreSQL's does.
const python = await execa('python3', ['--version'], { reject: false })
const noPython = python.failed ? `python3 is not runnable: ${python.message}` : undefined
if (noPython !== undefined) {
  if (process.env.CI)
    throw new Error(`the foreign-writer smoke runs need python3 in CI: ${noPython}`)
  console.warn(`skipping the foreign-writer smoke runs: ${noPython}`)
}

describe.skipIf(noPython !== undefined).each(DIALECTS)(
  'the foreign-writer smoke run on %s',
  (dialect) => {
    it('20,000 invocations, 4 writers and the original tracker saving without a lock: no violation', async () => {
      const run = await execa(
        'node',
        [smoke, '--dialect', dialect, '--invocations', '20000', '--foreign-writer', '--json'],
        { reject: false, env: { SKILL_METRICS_SMOKE_PG: TEST_POSTGRES_URL } },
      )
      const report = JSON.parse(String(run.stdout))
      console.log(
        `${dialect} --foreign-writer: ${report.seconds.toFixed(0)} s`,
        report.foreignWriter,
        report.steps.map(
          (step: { step: string; seconds: number; foreignSaves?: number; result: string }) =>
            `${step.step} ${step.seconds.toFixed(1)} s, ${step.foreignSaves ?? '-'} foreign saves: ${step.result}`,
        ),
      )
      expect(report.violations).toEqual([])
      expect(run.exitCode).toBe(0)
      // It saved before each cutover, between the first cutover and the rollback, and after the last.
      expect(report.steps.map((step: { step: string }) => step.step)).toEqual(
        expect.arrayContaining([
          'data migrate (before cutover)',
          'data validate (before cutover again)',
          'foreign writer stop',
          "data migrate (the foreign writer's last saves)",
        ]),
      )
      expect(report.foreignWriter.saves).toBeGreaterThan(10)
    }, 1_200_000)
  },
)
