// How every benchmark measures one piece of work, so that ours and its reference are timed alike:
// a fresh node process, wall time from spawn to exit, peak RSS reported by the process itself.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = fileURLToPath(new URL('..', import.meta.url))
const rssPreload = join(root, 'bench/report-rss.mjs')

/** Runs node with the RSS reporter preloaded; returns wall time, peak RSS and stdout. */
export function measureNode(work, label, args, env = {}) {
  const rssFile = join(work, 'rss')
  const started = process.hrtime.bigint()
  const run = spawnSync(process.execPath, ['--import', rssPreload, ...args], {
    env: { ...process.env, ...env, BENCH_RSS_FILE: rssFile },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 26,
  })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  if (run.status !== 0) {
    throw new Error(`${label} failed (exit ${run.status}): ${run.stderr}\n${run.stdout}`)
  }
  const rssMiB = Number(readFileSync(rssFile, 'utf8')) / 2 ** 20
  console.log(`${label}: ${seconds.toFixed(2)} s, peak RSS ${rssMiB.toFixed(0)} MiB`)
  return { seconds, rssMiB, stdout: run.stdout.toString() }
}

/** Runs the CLI under measureNode. */
export const measureCli = (work, label, args) =>
  measureNode(work, label, [join(root, 'apps/cli/bin/run.js'), ...args])

/** Wall time of a synchronous step run in this process. */
export function timed(label, step) {
  const started = process.hrtime.bigint()
  step()
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  console.log(`${label}: ${seconds.toFixed(2)} s`)
  return seconds
}

/**
 * One row of the goals table at the top of BENCHMARKS.md. `met` is true, false, or undefined
 * where no goal was set and the row only reports a ratio.
 */
export const goal = (name, measured, reference, ratio, met) => ({
  name,
  measured,
  reference,
  ratio,
  met,
})

export const verdict = (met) => (met === undefined ? 'no goal set' : met ? 'met' : 'NOT met')

export const count = (size) => size.toLocaleString('en')

/** A ratio as `1.23×`, with two significant digits below 0.1 (6 ms of 1,241 is 0.0050×, not 0.00×). */
export const times = (ratio) => `${ratio >= 0.1 ? ratio.toFixed(2) : ratio.toPrecision(2)}×`

/** The interpolated quantile of sorted numbers (numpy's default); undefined when there are none. */
export function quantile(sorted, fraction) {
  if (sorted.length === 0) return undefined
  const rank = fraction * (sorted.length - 1)
  const low = sorted[Math.floor(rank)]
  return low + (sorted[Math.ceil(rank)] - low) * (rank - Math.floor(rank))
}

/** The lifecycle from json-only to db-primary, as the README's runbook runs it. */
export const TO_DB_PRIMARY = [
  ['schema', 'migrate'],
  ['phase', 'dual-write'],
  ['data', 'migrate'],
  ['data', 'validate'],
  ['phase', 'dual-read'],
  ['cutover'],
]

/** This process's environment without the variables that would pick a store, mode or trace for a child. */
export function envWithout(names) {
  const env = { ...process.env }
  for (const name of names) delete env[name]
  return env
}
