// Concurrent `track` writers on the 1M legacy file, with group commit (a writer that finds the
// writers' lock busy journals its change, and the lock's holder applies every journaled change in
// one rewrite) and without it (SKILL_METRICS_GROUP_COMMIT=0: one whole-file rewrite per writer),
// in the same run on fresh copies of the same file. Runnable alone:
// `node bench/group-commit.mjs [file]`.
import { spawn, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { count, envWithout, goal, quantile, root, verdict } from './measure.mjs'

const CLI = join(root, 'apps/cli/bin/run.js')
const QUIET_WRITERS = 8
const TRACKS_PER_WRITER = Number(process.env.BENCH_GC_TRACKS_PER_WRITER ?? 5)
const BUSY_WRITERS = 4
const BUSY_TRACKS_PER_WRITER = 5
const BUSY_LOOPS = 2
// Group commit must multiply the writers' throughput at least this much over one rewrite each.
const THROUGHPUT_GOAL = 4
// A `track` that waits for the lock gives up with exit 4 ("refused") after its --lock-timeout.
const REFUSED = 4
// Far above the 30 s lock timeout plus a rewrite: only a hung `track` is cut short.
const TRACK_TIMEOUT_MS = 10 * 60 * 1000

const MODES = [
  ['group', 'group commit (env unset)'],
  ['reference', 'reference (`SKILL_METRICS_GROUP_COMMIT=0`)'],
]

/** A child's environment: nothing inherited may pick the store, the mode or the trace for it. */
function trackEnv(mode, traceFile) {
  const env = envWithout([
    'SKILL_METRICS_GROUP_COMMIT',
    'SKILL_METRICS_TRACE_FILE',
    'SKILL_METRICS_DB',
    'SKILL_METRICS_JSON_FILE',
  ])
  if (mode === 'reference') env.SKILL_METRICS_GROUP_COMMIT = '0'
  if (traceFile !== undefined) env.SKILL_METRICS_TRACE_FILE = traceFile
  return env
}

/** One `track` process: wall time from spawn to exit, its exit code and its stderr. */
function track(file, skill, env, cwd) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint()
    const child = spawn(
      process.execPath,
      [CLI, 'track', skill, '--json-file', file, '--duration', '1'],
      {
        cwd,
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: TRACK_TIMEOUT_MS,
      },
    )
    let stderr = ''
    child.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    const done = (code, signal) =>
      resolve({
        ms: Number(process.hrtime.bigint() - started) / 1e6,
        code: code ?? signal ?? 'no exit code',
        stderr,
      })
    child.on('error', (error) => done(`spawn error: ${error.message}`, null))
    child.on('close', done)
  })
}

/** Starts the busy loops that compete with the writers for the cores. */
function startBusyLoops() {
  return Array.from({ length: BUSY_LOOPS }, () =>
    spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }),
  )
}

/** Kills the busy loops and waits for each to be gone. */
async function stopBusyLoops(loops) {
  await Promise.all(
    loops.map(
      (loop) =>
        new Promise((resolve) => {
          if (loop.exitCode !== null || loop.signalCode !== null) return resolve()
          loop.once('exit', resolve)
          if (!loop.kill('SIGKILL')) resolve()
        }),
    ),
  )
}

/** The rewrites every process appended to the trace file; undefined when none was written. */
function readTrace(traceFile) {
  if (!existsSync(traceFile)) return undefined
  const rewrites = []
  let unreadable = 0
  for (const line of readFileSync(traceFile, 'utf8').split('\n')) {
    if (line.trim() === '') continue
    try {
      const event = JSON.parse(line)
      if (event.event === 'rewrite') rewrites.push(event)
    } catch {
      unreadable += 1
    }
  }
  const ms = rewrites.map((event) => Number(event.ms)).sort((a, b) => a - b)
  const entries = rewrites.map((event) => Number(event.entries))
  const applied = entries.reduce((sum, value) => sum + value, 0)
  return {
    rewrites: rewrites.length,
    medianMs: quantile(ms, 0.5),
    meanEntries: rewrites.length === 0 ? undefined : applied / rewrites.length,
    maxEntries: rewrites.length === 0 ? undefined : Math.max(...entries),
    applied,
    unreadable,
  }
}

/** The completed and abandoned invocations `metrics --json` counts in a file (it skips pending). */
function countedInvocations(file, cwd) {
  const run = spawnSync(process.execPath, [CLI, 'metrics', '--json-file', file, '--json'], {
    cwd,
    env: trackEnv('group'),
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 26,
  })
  if (run.status !== 0) {
    return { error: `metrics exit ${run.status ?? run.signal}: ${run.stderr.toString().trim()}` }
  }
  try {
    const skills = Object.values(JSON.parse(run.stdout.toString()))
    return { total: skills.reduce((sum, skill) => sum + skill.total_invocations, 0) }
  } catch (error) {
    return { error: `metrics printed no readable JSON: ${error.message}` }
  }
}

/**
 * One run on a fresh copy of the file: `writers` processes started together, each running `track`
 * `tracksPerWriter` times in a row; optionally with busy loops on the cores throughout.
 */
async function runWriters(work, file1M, { name, mode, writers, tracksPerWriter, busy, baseline }) {
  const dir = join(work, `group-commit-${name}-${mode}`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const file = join(dir, 'legacy.json')
  const traceFile = join(dir, 'trace.jsonl')
  copyFileSync(file1M, file)
  const env = trackEnv(mode, traceFile)
  const loops = busy ? startBusyLoops() : []
  let tracks
  let wallSeconds
  try {
    const started = process.hrtime.bigint()
    const perWriter = await Promise.all(
      Array.from({ length: writers }, async (_, writer) => {
        const results = []
        for (let index = 0; index < tracksPerWriter; index += 1) {
          results.push(await track(file, `bench-gc-${writer}`, env, dir))
        }
        return results
      }),
    )
    wallSeconds = Number(process.hrtime.bigint() - started) / 1e9
    tracks = perWriter.flat()
  } finally {
    await stopBusyLoops(loops)
  }
  const successes = tracks.filter((result) => result.code === 0).length
  const failures = tracks.filter((result) => result.code !== 0)
  const latencies = tracks.map((result) => result.ms).sort((a, b) => a - b)
  const trace = readTrace(traceFile)
  const counted = countedInvocations(file, dir)
  const expected = baseline + successes
  const check =
    counted.error !== undefined
      ? { ok: false, text: `FAILED: ${counted.error.slice(0, 300)}` }
      : counted.total === expected
        ? { ok: true, text: `${count(counted.total)} = ${count(baseline)} + ${successes}: ok` }
        : {
            ok: false,
            text: `MISMATCH: ${count(counted.total)}, expected ${count(baseline)} + ${successes} = ${count(expected)}`,
          }
  // A refused write (lock timeout, exit 4) is the measured cost; any other exit is a broken run.
  const broken = failures.filter((result) => result.code !== REFUSED)
  rmSync(dir, { recursive: true, force: true })
  const run = {
    name,
    mode,
    total: tracks.length,
    successes,
    failures,
    broken,
    wallSeconds,
    writesPerSecond: successes / wallSeconds,
    medianLatencyMs: quantile(latencies, 0.5),
    maxLatencyMs: latencies.at(-1),
    trace,
    check,
  }
  console.log(
    `group commit, ${name}, ${mode}: ${successes}/${tracks.length} in ${wallSeconds.toFixed(1)} s (${run.writesPerSecond.toFixed(2)} writes/s), longest held ${(run.maxLatencyMs / 1000).toFixed(1)} s; rewrites ${trace?.rewrites ?? 'n/a'}; final file ${check.text}`,
  )
  for (const failure of failures.slice(0, 3)) {
    console.log(`  exit ${failure.code}: ${failure.stderr.trim().split('\n')[0]}`)
  }
  return run
}

const seconds = (ms) => (ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(2)} s`)
const milliseconds = (ms) => (ms === undefined ? 'n/a' : `${ms.toFixed(0)} ms`)
const fixed = (value, digits = 2) => (value === undefined ? 'n/a' : value.toFixed(digits))

const notRun = (reason) => ({
  markdown: `## Group commit: concurrent writers on the legacy file

Not run: ${reason}.
`,
  goals: [
    goal(
      'group commit, quiet: every write succeeds, ≥ 4× the reference writes/s',
      `not run: ${reason}`,
      '—',
      '—',
    ),
    goal('group commit, busy: 20 of 20 writes succeed', `not run: ${reason}`, '—', '—'),
    goal(
      'group commit, quiet: longest held ≤ 2 × median rewrite + 1 s',
      `not run: ${reason}`,
      '—',
      '—',
    ),
  ],
  failed: false,
})

/** The failures of a run, one line per distinct exit code and first stderr line. */
function failureLines(run) {
  const seen = new Map()
  for (const failure of run.failures) {
    const line = failure.stderr.trim().split('\n')[0]?.slice(0, 200) || '(no stderr)'
    const key = `exit ${failure.code}: ${line}`
    seen.set(key, (seen.get(key) ?? 0) + 1)
  }
  return [...seen].map(
    ([key, times]) => `- ${run.name}, ${run.mode}: ${times}× ${key.replaceAll('|', '\\|')}`,
  )
}

/**
 * Runs the writers on copies of `file1M` (never written) with and without group commit and
 * returns the BENCHMARKS.md section.
 */
export async function groupCommitSection(work, file1M) {
  if (process.env.BENCH_SKIP_GROUP_COMMIT === '1') {
    return notRun('skipped with BENCH_SKIP_GROUP_COMMIT=1')
  }
  const base = countedInvocations(file1M, work)
  if (base.error !== undefined) throw new Error(`group commit: ${base.error}`)
  const baseline = base.total
  const runs = []
  for (const [name, writers, tracksPerWriter, busy] of [
    ['quiet', QUIET_WRITERS, TRACKS_PER_WRITER, false],
    ['busy', BUSY_WRITERS, BUSY_TRACKS_PER_WRITER, true],
  ]) {
    for (const [mode] of MODES) {
      runs.push(
        await runWriters(work, file1M, { name, mode, writers, tracksPerWriter, busy, baseline }),
      )
    }
  }
  const find = (name, mode) => runs.find((run) => run.name === name && run.mode === mode)
  const quiet = find('quiet', 'group')
  const quietRef = find('quiet', 'reference')
  const busy = find('busy', 'group')
  const busyRef = find('busy', 'reference')
  const traced = runs.some((run) => run.trace !== undefined)

  const speedup = quiet.writesPerSecond / quietRef.writesPerSecond
  const heldBudgetMs =
    quiet.trace?.medianMs === undefined ? undefined : 2 * quiet.trace.medianMs + 1000
  const goals = [
    goal(
      `group commit, quiet (${QUIET_WRITERS} writers × ${TRACKS_PER_WRITER} \`track\` each): every write succeeds, ≥ ${THROUGHPUT_GOAL}× the reference's writes/s`,
      `${quiet.successes}/${quiet.total} succeeded, ${fixed(quiet.writesPerSecond)} writes/s`,
      `\`SKILL_METRICS_GROUP_COMMIT=0\`: ${quietRef.successes}/${quietRef.total} succeeded, ${fixed(quietRef.writesPerSecond)} writes/s`,
      `${fixed(speedup)}× the writes/s`,
      quiet.successes === quiet.total && speedup >= THROUGHPUT_GOAL,
    ),
    goal(
      `group commit, busy (${BUSY_WRITERS} writers × ${BUSY_TRACKS_PER_WRITER} \`track\` each, ${BUSY_LOOPS} busy loops): ${busy.total} of ${busy.total} succeed`,
      `${busy.successes}/${busy.total} succeeded`,
      `\`SKILL_METRICS_GROUP_COMMIT=0\`: ${busyRef.successes}/${busyRef.total} succeeded`,
      '—',
      busy.successes === busy.total,
    ),
    goal(
      'group commit, quiet: the longest a writer is held ≤ 2 × median rewrite (trace) + 1 s',
      `${seconds(quiet.maxLatencyMs)}${heldBudgetMs === undefined ? ' (no trace file: budget n/a)' : ''}`,
      `budget ${seconds(heldBudgetMs)} (median rewrite ${milliseconds(quiet.trace?.medianMs)}); \`SKILL_METRICS_GROUP_COMMIT=0\` held ${seconds(quietRef.maxLatencyMs)}`,
      heldBudgetMs === undefined ? '—' : `${fixed(quiet.maxLatencyMs / heldBudgetMs)}× the budget`,
      // Without a trace the budget is unknown, and the goal cannot be shown met.
      heldBudgetMs !== undefined && quiet.maxLatencyMs <= heldBudgetMs,
    ),
  ]
  const column = (run) => `${run.name}, ${run.mode === 'group' ? 'group commit' : 'reference'}`
  const row = (label, cell) => `| ${label} | ${runs.map(cell).join(' | ')} |`
  const failures = runs.flatMap(failureLines)
  // A final file that does not hold exactly the successful writes, or a `track` that failed other
  // than by giving up on the lock, is a broken run, not a measurement.
  const failed = runs.some((run) => !run.check.ok || run.broken.length > 0)
  const markdown = `## Group commit: concurrent writers on the legacy file

\`node bench/group-commit.mjs [file]\` (alone: generates \`BENCH_INVOCATIONS\`, default 1,000,000,
in a temporary directory when no file is given; \`BENCH_GC_TRACKS_PER_WRITER\`, default 5). Each run
starts on a fresh copy of the ${count(baseline)}-counted-invocation legacy file and runs
\`skill-metrics track bench-gc-W --json-file F --duration 1\` (default \`--lock-timeout\` of 30 s)
from several writer processes started together, each running its \`track\`s one after another.
**quiet**: ${QUIET_WRITERS} writers × ${TRACKS_PER_WRITER}; **busy**: ${BUSY_WRITERS} writers × ${BUSY_TRACKS_PER_WRITER} while ${BUSY_LOOPS}
\`node -e "for(;;){}"\` loops hold the cores. Each is run with group commit (environment unset) and
with \`SKILL_METRICS_GROUP_COMMIT=0\` (the reference: one whole-file rewrite per write), in the
same run. Latency: one \`track\` process, spawn to exit; writes/s: successes ÷ wall time from the
first spawn to the last exit. Rewrites: from the \`SKILL_METRICS_TRACE_FILE\` every process
appends one line to per legacy-file rewrite.
${traced ? '' : '\nNo run wrote a trace file: this build does not support `SKILL_METRICS_TRACE_FILE` (nor, presumably, group commit, so both modes ran the same code); the rewrite numbers are n/a.\n'}
| | ${runs.map(column).join(' | ')} |
|---|${runs.map(() => '---|').join('')}
${row('succeeded / total', (run) => `${run.successes}/${run.total}`)}
${row('wall time, first spawn to last exit', (run) => `${run.wallSeconds.toFixed(1)} s`)}
${row('writes/s', (run) => fixed(run.writesPerSecond))}
${row('median latency', (run) => seconds(run.medianLatencyMs))}
${row('longest a writer was held', (run) => `**${seconds(run.maxLatencyMs)}**`)}
${row('rewrites (trace)', (run) => (run.trace === undefined ? 'n/a' : String(run.trace.rewrites)))}
${row('median rewrite (trace)', (run) => milliseconds(run.trace?.medianMs))}
${row('changes per rewrite, mean / max (trace)', (run) => `${fixed(run.trace?.meanEntries)} / ${run.trace?.maxEntries ?? 'n/a'}`)}
${row('changes applied in all rewrites (trace)', (run) => (run.trace === undefined ? 'n/a' : `${run.trace.applied}${run.trace.unreadable ? ` (${run.trace.unreadable} unreadable lines)` : ''}`))}
${row('final file: `metrics --json` total = before + successes', (run) => run.check.text)}

The final-file check sums \`total_invocations\` over \`skill-metrics metrics --json-file F --json\`;
that counts completed and abandoned invocations, not pending ones, so "before" is the same sum over
the original file (${count(baseline)}), not the number of records in it.
${failures.length === 0 ? '\nNo `track` failed.\n' : `\nFailed \`track\`s (exit ${REFUSED}: gave up waiting for the writers' lock, the cost measured; any other exit fails the section):\n\n${failures.join('\n')}\n`}${failed ? '\n**The section FAILED**: a final file does not hold exactly the successful writes, or a `track` failed other than by giving up on the lock.\n' : ''}
| goal | measured | reference | ratio | result |
|---|---|---|---|---|
${goals.map((row) => `| ${row.name} | ${row.measured} | ${row.reference} | ${row.ratio} | ${verdict(row.met)} |`).join('\n')}
`
  return { markdown, goals, failed }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const work = mkdtempSync(join(tmpdir(), 'skill-metrics-gc-bench-'))
  try {
    let file = process.argv[2]
    if (file === undefined) {
      const invocations = Number(process.env.BENCH_INVOCATIONS ?? 1_000_000)
      file = join(work, `legacy-${invocations}.json`)
      const generate = spawnSync(
        process.execPath,
        [CLI, 'generate', file, '--invocations', String(invocations)],
        { stdio: ['ignore', 'inherit', 'inherit'] },
      )
      if (generate.status !== 0) throw new Error(`generate failed (exit ${generate.status})`)
    }
    const section = await groupCommitSection(work, file)
    console.log(`\n${section.markdown}`)
    if (section.failed) process.exitCode = 1
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
