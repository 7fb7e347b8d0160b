import { fileURLToPath } from 'node:url'
import { DIALECTS, TEST_POSTGRES_URL } from '@skill-metrics/testing/databases'
import { execa } from 'execa'
import { describe, expect, it } from 'vitest'

const smoke = fileURLToPath(new URL('../bin/run.js', import.meta.url))

// The Python drop-in (clients/python) runs as some of the writers: CI must have python3,
// elsewhere its absence skips these runs with the reason printed, as PostgreSQL's does.
const python = await execa('python3', ['--version'], { reject: false })
const noPython = python.failed ? `python3 is not runnable: ${python.message}` : undefined
if (noPython !== undefined) {
  if (process.env.CI)
    throw new Error(`the Python-writer smoke runs need python3 in CI: ${noPython}`)
  console.warn(`skipping the Python-writer smoke runs: ${noPython}`)
}

describe.skipIf(noPython !== undefined).each(DIALECTS)(
  'the chaos smoke run with Python writers on %s',
  (dialect) => {
    it('5,000 invocations, 4 writers of which 2 Python, chaos on: every returned completion once', async () => {
      const run = await execa(
        'node',
        [
          smoke,
          '--dialect',
          dialect,
          '--invocations',
          '5000',
          '--writers',
          '4',
          '--python-writers',
          '2',
          '--chaos',
          '--json',
        ],
        { reject: false, env: { SKILL_METRICS_SMOKE_PG: TEST_POSTGRES_URL } },
      )
      const report = JSON.parse(String(run.stdout))
      console.log(
        `${dialect} --python-writers 2 --chaos: ${report.seconds.toFixed(0)} s`,
        report.steps.map(
          (step: { step: string; seconds: number; pythonWaiting?: number; result: string }) =>
            `${step.step} ${step.seconds.toFixed(1)} s, ${step.pythonWaiting ?? '-'} Python waiting: ${step.result}`,
        ),
      )
      expect(report.violations).toEqual([])
      expect(run.exitCode).toBe(0)
      // Their completions were applied, then all required after the journal's last apply.
      const applied = report.steps.find((step: { step: string }) => step.step === 'journal apply')
      expect(applied?.result).toMatch(/; [1-9]\d* Python completions returned$/)
    }, 1_200_000)
  },
)
