import { DIALECTS } from '@skill-metrics/testing/databases'
import { describe, expect, it } from 'vitest'
import { pythonMissingFor, runSmoke } from './smoke-runs.js'

// The Python drop-in (clients/python) runs as some of the writers.
const noPython = await pythonMissingFor('Python-writer smoke runs')

describe.skipIf(noPython !== undefined).each(DIALECTS)(
  'the chaos smoke run with Python writers on %s',
  (dialect) => {
    it('5,000 invocations, 4 writers of which 2 Python, chaos on: every returned completion once', async () => {
      const run = await runSmoke([
        '--dialect',
        dialect,
        '--invocations',
        '5000',
        '--writers',
        '4',
        '--python-writers',
        '2',
        '--chaos',
      ])
      const { report } = run
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
