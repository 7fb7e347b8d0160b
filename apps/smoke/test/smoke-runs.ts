import { fileURLToPath } from 'node:url'
import { TEST_POSTGRES_URL } from '@skill-metrics/testing/databases'
import { execa } from 'execa'

const smoke = fileURLToPath(new URL('../bin/run.js', import.meta.url))

/** One smoke run through its bin, against the tests' PostgreSQL: its exit code and JSON report. */
export async function runSmoke(args: string[]) {
  const run = await execa('node', [smoke, ...args, '--json'], {
    reject: false,
    env: { SKILL_METRICS_SMOKE_PG: TEST_POSTGRES_URL },
  })
  return { exitCode: run.exitCode, report: JSON.parse(String(run.stdout)) }
}

/**
 * Why runs that need python3 cannot run here, or undefined: CI must have it (this throws),
 * elsewhere its absence skips them with the reason printed, as PostgreSQL's does.
 */
export async function pythonMissingFor(runs: string): Promise<string | undefined> {
  const python = await execa('python3', ['--version'], { reject: false })
  if (!python.failed) return undefined
  const why = `python3 is not runnable: ${python.message}`
  if (process.env.CI) throw new Error(`the ${runs} need python3 in CI: ${why}`)
  console.warn(`skipping the ${runs}: ${why}`)
  return why
}
