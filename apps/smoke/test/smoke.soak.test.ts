import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { describe, expect, it } from 'vitest'
import {
  DIALECTS,
  TEST_POSTGRES_URL,
} from '../../../packages/db-store/src/test-support/databases.js'

const smoke = fileURLToPath(new URL('../bin/run.js', import.meta.url))

// The acceptance size: 20,000 invocations, 8 writers, chaos on, on both dialects.
describe.each(DIALECTS)('the chaos smoke run on %s', (dialect) => {
  it('20,000 invocations, 8 writers, kill -9 and an unavailable database: no violation', async () => {
    const run = await execa(
      'node',
      [
        smoke,
        '--dialect',
        dialect,
        '--invocations',
        '20000',
        '--writers',
        '8',
        '--chaos',
        '--json',
      ],
      { reject: false, env: { SKILL_METRICS_SMOKE_PG: TEST_POSTGRES_URL } },
    )
    const report = JSON.parse(String(run.stdout))
    console.log(
      `${dialect}: ${report.seconds.toFixed(0)} s`,
      report.steps.map(
        (step: { step: string; seconds: number; result: string }) =>
          `${step.step} ${step.seconds.toFixed(1)} s ${step.result}`,
      ),
    )
    expect(report.violations).toEqual([])
    expect(run.exitCode).toBe(0)
  }, 1_200_000)
})
