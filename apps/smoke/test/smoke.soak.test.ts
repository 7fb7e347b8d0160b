import { DIALECTS, TEST_POSTGRES_URL } from '@skill-metrics/testing/databases'
import { describe, expect, it } from 'vitest'
import { diskFullSmoke } from './disk-full-support.js'
import { runSmoke } from './smoke-runs.js'

// The acceptance size: 20,000 invocations, 8 writers, chaos on, on both dialects.
describe.each(DIALECTS)('the chaos smoke run on %s', (dialect) => {
  it('20,000 invocations, 8 writers, kill -9 and an unavailable database: no violation', async () => {
    const run = await runSmoke([
      '--dialect',
      dialect,
      '--invocations',
      '20000',
      '--writers',
      '8',
      '--chaos',
    ])
    const { report } = run
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

// The full disk at the chaos runs' size on PostgreSQL (the database off the tmpfs: only the legacy
// file and its logs fill); SQLite on the full tmpfs is in disk-full.soak.test.ts.
describe.skipIf(!DIALECTS.includes('postgres'))('the disk-full smoke run on postgres', () => {
  it('20,000 invocations, 8 writers, the legacy file on a full tmpfs: refused, never corrupted', async (context) => {
    await diskFullSmoke(
      ['--dialect', 'postgres', '--invocations', '20000', '--writers', '8'],
      (reason) => context.skip(reason),
      { SKILL_METRICS_SMOKE_PG: TEST_POSTGRES_URL },
    )
  }, 1_200_000)
})
