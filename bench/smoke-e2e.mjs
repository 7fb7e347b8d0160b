// The end-to-end smoke (apps/smoke: every phase, forward and back, with writers running) timed at
// each size, next to the same work done with no migration machinery in the same run.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { bareSqliteLoad } from './backfill.mjs'
import { count, goal, root } from './measure.mjs'
import { copyReference, scratchPostgres } from './postgres.mjs'

const SMOKE = join(root, 'apps/smoke/bin/run.js')
// At 1M every write in the JSON phases rewrites 240 MB (seconds each) under the writers' lock.
// Before group commit each writer paid a rewrite of its own and 4 of them queued past their 30 s
// bound (the 1M runs had 2); with it, one rewrite applies every waiting writer's change, and
// issue 17 asks the 1M runs to have 8.
const writersAt = (size) => (size >= 1_000_000 ? 8 : 4)
// Issue 16's goals for the 1M runs: the whole lifecycle on SQLite against its bare reference, the
// cutover's freeze under the default --freeze-timeout, and the longest any writer waits.
const E2E_GOAL_RATIO = 20
const FREEZE_GOAL_SECONDS = 2
const HELD_GOAL_SECONDS = 15
// Far above any run seen, so that only a hung smoke is cut short.
const TIMEOUT_MS = 45 * 60 * 1000

export const smokeSizes = (process.env.BENCH_SMOKE_SIZES ?? '100000,1000000').split(',').map(Number)
// The 1M runs take most of the bench's time; skipping them is a choice the report states.
const skipped = (size) => process.env.BENCH_SKIP_1M_SMOKE === '1' && size >= 1_000_000
const DIALECTS = [
  ['sqlite', 'SQLite'],
  ['postgres', 'PostgreSQL'],
]

/** One smoke run: wall time from spawn to exit, and its JSON report when it printed one. */
function runSmoke(dialect, size) {
  const args = [
    SMOKE,
    ...['--dialect', dialect, '--invocations', String(size), '--writers', String(writersAt(size))],
    '--json',
  ]
  const started = process.hrtime.bigint()
  const run = spawnSync(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 26,
    timeout: TIMEOUT_MS,
  })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  let report
  try {
    report = JSON.parse(run.stdout.toString())
  } catch {
    report = undefined
  }
  const violations = (report?.violations ?? []).map(
    (violation) => `after ${violation.step}: ${violation.invariant}: ${violation.detail}`,
  )
  const failure =
    run.status === 0 && report?.ok === true
      ? undefined
      : `exit ${run.status ?? run.signal}${violations.length ? `; ${violations[0].split('\n')[0].slice(0, 300).replaceAll('|', '\\|')}` : ''}`
  console.log(`smoke ${dialect} ${count(size)}: ${seconds.toFixed(1)} s`)
  if (failure) {
    console.log(
      `FAILED (${failure})\n${violations.join('\n')}\n${run.stderr.toString().slice(-2000)}`,
    )
  }
  return { seconds, report, failure }
}

/**
 * The reference: what the lifecycle cannot avoid, done once and bare. Write the legacy file
 * (`generate`), load it into the database with no key, index, validation or checkpoint, and read
 * it once (one streaming pass, what any validation must at least do).
 */
async function reference(work, dialect, size, legacy) {
  if (dialect === 'sqlite') {
    const load = bareSqliteLoad(work, legacy.file, join(work, `smoke-reference-${size}.db`))
    return {
      seconds: legacy.generate.seconds + load.seconds + legacy.metrics.seconds,
      text: `generate ${legacy.generate.seconds.toFixed(1)} s + JSON.parse and INSERT into a bare table ${load.seconds.toFixed(1)} s + one streaming pass ${legacy.metrics.seconds.toFixed(1)} s`,
    }
  }
  const database = await scratchPostgres('smoke_reference')
  if (database === undefined) return undefined
  try {
    const { csvSeconds, copySeconds } = copyReference(database.url, work, legacy.file)
    return {
      seconds: legacy.generate.seconds + csvSeconds + copySeconds + legacy.metrics.seconds,
      text: `generate ${legacy.generate.seconds.toFixed(1)} s + JSON.parse to CSV ${csvSeconds.toFixed(1)} s + \`psql \\copy\` into a bare table ${copySeconds.toFixed(1)} s + one streaming pass ${legacy.metrics.seconds.toFixed(1)} s`,
    }
  } finally {
    await database.drop()
  }
}

const title = (size, name) =>
  `end-to-end smoke, ${count(size)} invocations, ${name} (${writersAt(size)} writers)${size >= 1_000_000 && name === 'SQLite' ? `: ≤ ${E2E_GOAL_RATIO}× the reference` : ''}`
const notRunGoal = (size, name, reason) => goal(title(size, name), `not run: ${reason}`, '—', '—')

const notRun = (reason) => ({
  markdown: `## End-to-end smoke

Not run: ${reason}.
`,
  goals: smokeSizes.flatMap((size) => DIALECTS.map(([, name]) => notRunGoal(size, name, reason))),
  failed: false,
})

/** The longest any writer was held in the run, in seconds, or undefined when none wrote. */
function longestHeld(run) {
  const held = (run.report?.steps ?? []).map((step) => step.longestWriteSeconds ?? 0)
  return held.length === 0 ? undefined : Math.max(...held)
}

/** The freeze and writer-wait goals of a 1M run (writers run through the first cutover). */
function heldGoals(size, name, run) {
  const cutovers = (run.report?.steps ?? []).filter((step) => step.freezeSeconds !== undefined)
  const longestFreeze =
    cutovers.length === 0 ? undefined : Math.max(...cutovers.map((step) => step.freezeSeconds))
  const held = longestHeld(run)
  return [
    goal(
      `${name}, ${count(size)} invocations: \`cutover\` with the default --freeze-timeout succeeds, freeze ≤ ${FREEZE_GOAL_SECONDS} s`,
      longestFreeze === undefined
        ? `no freeze measured${run.failure ? ` (${run.failure})` : ''}`
        : `longest freeze ${longestFreeze.toFixed(2)} s`,
      `none: a fixed budget of ${FREEZE_GOAL_SECONDS} s`,
      longestFreeze === undefined
        ? '—'
        : `${(longestFreeze / FREEZE_GOAL_SECONDS).toFixed(2)}× the budget`,
      longestFreeze !== undefined && cutovers.length === 2 && longestFreeze <= FREEZE_GOAL_SECONDS,
    ),
    goal(
      `${name}, ${count(size)} invocations: the longest a writer is held ≤ ${HELD_GOAL_SECONDS} s`,
      held === undefined ? 'no writer measured' : `${held.toFixed(1)} s`,
      `none: a fixed budget of ${HELD_GOAL_SECONDS} s`,
      held === undefined ? '—' : `${(held / HELD_GOAL_SECONDS).toFixed(2)}× the budget`,
      held !== undefined && run.failure === undefined && held <= HELD_GOAL_SECONDS,
    ),
  ]
}

/**
 * Runs the smoke at every size on both dialects. `legacy`: size → { file, generate, metrics }
 * measured earlier in this run on a file of that size.
 */
export async function smokeSection(work, legacy) {
  if (!existsSync(SMOKE)) return notRun('apps/smoke missing')
  const goals = []
  const runs = []
  for (const size of smokeSizes) {
    for (const [dialect, name] of DIALECTS) {
      if (skipped(size)) {
        goals.push(notRunGoal(size, name, 'skipped with BENCH_SKIP_1M_SMOKE=1'))
        continue
      }
      const bare = await reference(work, dialect, size, legacy.get(size))
      if (bare === undefined) {
        goals.push(notRunGoal(size, name, 'no PostgreSQL server'))
        continue
      }
      const run = runSmoke(dialect, size)
      runs.push({ size, name, ...run })
      goals.push(
        goal(
          title(size, name),
          run.failure
            ? `FAILED (${run.failure}) after ${run.seconds.toFixed(1)} s`
            : `${run.seconds.toFixed(1)} s`,
          `${bare.seconds.toFixed(1)} s: ${bare.text}`,
          // A failed smoke stops at its first violation: its time is not the lifecycle's.
          run.failure
            ? '— (incomplete run)'
            : `${(run.seconds / bare.seconds).toFixed(1)}× the time`,
          size >= 1_000_000 && dialect === 'sqlite'
            ? run.failure === undefined && run.seconds / bare.seconds <= E2E_GOAL_RATIO
            : undefined,
        ),
      )
      if (size >= 1_000_000) goals.push(...heldGoals(size, name, run))
    }
  }
  const steps = [
    ...new Set(runs.flatMap((run) => run.report?.steps?.map((step) => step.step) ?? [])),
  ]
  const freezes = (run) =>
    (run.report?.steps ?? [])
      .filter((step) => step.freezeSeconds !== undefined)
      .map((step) => step.freezeSeconds.toFixed(2))
      .join(', ') || '—'
  const seconds = (run, name) => {
    const step = run.report?.steps?.find((candidate) => candidate.step === name)
    return step === undefined ? '—' : step.seconds.toFixed(1)
  }
  const longestWrite = (run) => longestHeld(run)?.toFixed(1) ?? '—'
  const markdown = `## End-to-end smoke

\`node apps/smoke/bin/run.js --dialect D --invocations N --writers K --json\` (the cutovers run with the default \`--freeze-timeout 5\`)
(K = ${smokeSizes.map((size) => `${writersAt(size)} at ${count(size)}`).join(', ')}: at 1M each JSON-phase rewrite
of 240 MB applies every change waiting in the group-commit journal, so 8 writers share it):
the whole lifecycle on a generated legacy file with K writers running (CLI and library
writers): schema migrate, dual-write, data migrate twice, validate and dual-read, cutover, more
writes, rollback, migrate and validate again, dual-read, cutover, cleanup --force; every step is
checked against the file. Measured: wall time from spawn to exit, and the longest any writer was
held (a library start or completion, or a whole \`skill-metrics track\` process; writers give up
after 30 s). Reference, in the same run on
a file of the same size: the work no lifecycle can skip, done once and bare — generate the file,
load it into a table without keys or indexes, read it once. The lifecycle migrates three times,
validates twice and rewrites the file on rollback, all while writers hold the lock in turns, so
the ratio is the price of the whole migration, not of one step. The 1M SQLite run has a goal
(≤ ${E2E_GOAL_RATIO}× its reference); the others are reported.

| step (seconds) | ${runs.map((run) => `${count(run.size)}, ${run.name}`).join(' | ')} |
|---|${runs.map(() => '---|').join('')}
${steps.map((step) => `| ${step} | ${runs.map((run) => seconds(run, step)).join(' | ')} |`).join('\n')}
| cutover's freeze (s; first, again) | ${runs.map(freezes).join(' | ')} |
| longest a writer was held (s) | ${runs.map(longestWrite).join(' | ')} |
| **total (wall, spawn to exit)** | ${runs.map((run) => `**${run.seconds.toFixed(1)}**${run.failure ? ` FAILED (${run.failure})` : ''}`).join(' | ')} |
`
  return { markdown, goals, failed: runs.some((run) => run.failure !== undefined) }
}
