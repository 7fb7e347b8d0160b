import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { expect } from 'vitest'

const smoke = fileURLToPath(new URL('../bin/run.js', import.meta.url))

/**
 * Runs `pnpm smoke --disk-full` and checks its report: no violation, the full period refused
 * writes with exit 4 and left less free than a rewrite of the legacy file needs. Where the tmpfs
 * cannot be mounted (not root) the run skips the fault outside CI, and so does the test.
 */
export async function diskFullSmoke(
  args: string[],
  skip: (reason: string) => void,
  env: Record<string, string> = {},
): Promise<void> {
  const run = await execa('node', [smoke, ...args, '--disk-full', '--json'], {
    reject: false,
    env,
  })
  const report = JSON.parse(String(run.stdout))
  console.log(
    `${args.join(' ')} --disk-full: ${report.seconds.toFixed(0)} s`,
    report.diskFull,
    report.steps.map(
      (step: { step: string; seconds: number; result: string }) =>
        `${step.step} ${step.seconds.toFixed(1)} s ${step.result}`,
    ),
  )
  expect(report.violations).toEqual([])
  expect(run.exitCode).toBe(0)
  if (report.diskFull.skipped !== undefined) {
    skip(report.diskFull.skipped)
    return
  }
  expect(report.steps.map((step: { step: string }) => step.step)).toContain('disk full')
  expect(report.diskFull.refused).toBeGreaterThan(0)
  expect(report.diskFull.firstRefusal).toMatch(/(exited|exit) 4: .*no space left on /s)
  expect(report.diskFull.mostFreeBytes).toBeLessThan(report.diskFull.legacyBytes)
}
