import { DIALECTS } from '@skill-metrics/testing/databases'
import { describe, expect, it } from 'vitest'
import { pythonMissingFor, runSmoke } from './smoke-runs.js'

// The original Python tracker runs as a writer the tool does not control.
const noPython = await pythonMissingFor('foreign-writer smoke runs')

describe.skipIf(noPython !== undefined).each(DIALECTS)(
  'the foreign-writer smoke run on %s',
  (dialect) => {
    it('20,000 invocations, 4 writers and the original tracker saving without a lock: no violation', async () => {
      const run = await runSmoke([
        '--dialect',
        dialect,
        '--invocations',
        '20000',
        '--foreign-writer',
      ])
      const { report } = run
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
