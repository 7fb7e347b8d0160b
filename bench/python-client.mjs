// The Python drop-in (clients/python) from its caller's side: what one `complete(...)` costs a
// Python application, how long until `skill-metrics metrics` shows the invocation, and what the
// original Python tracker pays on every completion for the same file (load + dumps + write), at
// several history sizes, in json-only and in db-primary on SQLite. The timing is done in Python by
// bench/python_client_bench.py (standard library only). Runnable alone:
// `node bench/python-client.mjs`.
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  count,
  envWithout,
  goal,
  quantile,
  root,
  TO_DB_PRIMARY,
  times,
  verdict,
} from './measure.mjs'

const CLI = join(root, 'apps/cli/bin/run.js')
const CLIENT = join(root, 'clients/python')
const DRIVER = join(root, 'bench/python_client_bench.py')
const PYTHON = process.env.BENCH_PYTHON ?? 'python3'
const SIZES = (process.env.BENCH_PY_SIZES ?? '1000,10000,100000').split(',').map(Number)
const CALLS = Number(process.env.BENCH_PY_CALLS ?? 7)
const REFERENCE_RUNS = 3
const STARTUP_RUNS = 5
const SKILL = 'bench-python'
// From this size on, the completer must cost its caller less than the original tracker does.
const BELOW_ORIGINAL_FROM = 10_000
const PHASES = ['json-only', 'db-primary']

/** A command that made the section fail: setup, the driver, or the client's result. */
class SectionFailure extends Error {}

/** p50 and max of the defined values. */
function stats(values) {
  const sorted = values.filter((value) => typeof value === 'number').sort((a, b) => a - b)
  return { p50: quantile(sorted, 0.5), max: sorted.at(-1), n: sorted.length }
}

const shellQuote = (text) => `'${text.replaceAll("'", `'\\''`)}'`

/**
 * A child's environment: the CLI and the database as the client finds them, nothing inherited
 * that picks another store, mode or bound, and no bytecode written into the tree.
 */
function clientEnv(databaseFile) {
  const env = envWithout([
    'SKILL_METRICS_GROUP_COMMIT',
    'SKILL_METRICS_TRACE_FILE',
    'SKILL_METRICS_DB',
    'SKILL_METRICS_JSON_FILE',
    'SKILL_METRICS_COMPLETION_TIMEOUT',
    'SKILL_METRICS_CLI',
  ])
  env.SKILL_METRICS_CLI = `${shellQuote(process.execPath)} ${shellQuote(CLI)}`
  env.SKILL_METRICS_DB = `sqlite:${databaseFile}`
  // The driver needs the client only (standard library otherwise).
  env.PYTHONPATH = CLIENT
  env.PYTHONDONTWRITEBYTECODE = '1'
  return env
}

const lastLines = (text) => text.toString().trim().split('\n').slice(-5).join(' / ').slice(0, 600)

/** One CLI command of the setup; a non-zero exit fails the section, naming the command. */
function cli(args, env, cwd) {
  const run = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 26,
  })
  if (run.status !== 0) {
    throw new SectionFailure(
      `setup \`skill-metrics ${args.join(' ')}\` failed (exit ${run.status ?? run.signal ?? run.error?.message}): ${lastLines(run.stderr) || lastLines(run.stdout) || '(no output)'}`,
    )
  }
}

/** One run of the Python driver; its JSON answer. */
function driver(args, env, cwd) {
  const run = spawnSync(PYTHON, [DRIVER, ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 26,
  })
  const progress = run.stderr?.toString() ?? ''
  if (progress.trim() !== '') process.stdout.write(progress)
  if (run.status !== 0) {
    throw new SectionFailure(
      `\`${PYTHON} bench/python_client_bench.py ${args[0]}\` failed (exit ${run.status ?? run.signal ?? run.error?.message}): ${lastLines(progress) || '(no output)'}`,
    )
  }
  return JSON.parse(run.stdout.toString())
}

const ms = (value) =>
  value === undefined ? 'n/a' : `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ms`

/** The completer's calls in one phase on one size, set up from the generated file. */
function measurePhase(dir, generated, size, phase) {
  const phaseDir = join(dir, phase)
  mkdirSync(phaseDir, { recursive: true })
  const file = join(phaseDir, 'skill_metrics.json')
  copyFileSync(generated, file)
  const env = clientEnv(join(phaseDir, 'skill_metrics.db'))
  if (phase === 'db-primary') {
    for (const step of TO_DB_PRIMARY) cli([...step, '--json-file', file], env, phaseDir)
  }
  console.log(`python client, ${count(size)} stored, ${phase}:`)
  const answer = driver(
    ['complete', file, '--calls', String(CALLS), '--skill', SKILL],
    env,
    phaseDir,
  )
  const samples = answer.samples
  const run = {
    size,
    phase,
    complete: stats(samples.map((sample) => sample.complete_ms)),
    append: stats(samples.map((sample) => sample.append_ms)),
    apply: stats(samples.map((sample) => sample.apply_ms)),
    visible: stats(samples.map((sample) => sample.visible_ms)),
    metricsRuns: Math.max(...samples.map((sample) => sample.metrics_runs)),
    withinBound: samples.filter((sample) => sample.applied_within_bound).length,
    neverVisible: samples.filter((sample) => sample.visible_ms === null).length,
    calls: samples.length,
    bound: answer.completion_timeout,
    final: answer.final,
    expectedFinal: answer.expected_final,
    log: answer.log,
  }
  run.ok = run.neverVisible === 0 && run.final === run.expectedFinal
  console.log(
    `python client, ${count(size)} stored, ${phase}: complete p50 ${ms(run.complete.p50)} max ${ms(run.complete.max)} (append p50 ${ms(run.append.p50)}, CLI run p50 ${ms(run.apply.p50)}); visible p50 ${ms(run.visible.p50)} max ${ms(run.visible.max)}; final total ${run.final}, expected ${run.expectedFinal}`,
  )
  return run
}

/** Generates one size, measures the original's cost on it and the completer in each phase. */
function measureSize(work, size) {
  const dir = join(work, `python-client-${size}`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  try {
    const generated = join(dir, 'generated.json')
    const env = clientEnv(join(dir, 'unused.db'))
    cli(['generate', generated, '--invocations', String(size)], env, dir)
    const reference = stats(
      driver(
        [
          'reference',
          generated,
          '--copy',
          join(dir, 'reference-copy.json'),
          '--runs',
          String(REFERENCE_RUNS),
        ],
        env,
        dir,
      ).ms,
    )
    console.log(
      `python client, ${count(size)} stored: original tracker's load + dumps + write, median of ${REFERENCE_RUNS}: ${ms(reference.p50)}`,
    )
    const phases = Object.fromEntries(
      PHASES.map((phase) => [phase, measurePhase(dir, generated, size, phase)]),
    )
    return { size, reference, phases }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const GOAL_NAMES = {
  flat: `Python completer's cost flat in N in db-primary (read as: p50 at ${count(SIZES.at(-1))} < 2× p50 at ${count(SIZES[0])})`,
  belowOriginal: `Python completer's cost below the original tracker's from ${count(BELOW_ORIGINAL_FROM)} on, in db-primary (p50 < the original's load + dumps + write, median of ${REFERENCE_RUNS})`,
  jsonOnly: `Python completer's cost below the original tracker's at ${count(SIZES.at(-1))}, in json-only (p50)`,
}

function goalsNotMeasured(reason, met) {
  return Object.values(GOAL_NAMES).map((name) => goal(name, reason, '—', '—', met))
}

const notRun = (reason) => ({
  markdown: `## Python client: the completer's cost to its caller

Not run: ${reason}.
`,
  goals: goalsNotMeasured(`not run: ${reason}`),
  failed: false,
})

function sectionGoals(rows) {
  const first = rows[0]
  const last = rows.at(-1)
  const db = (row) => row.phases['db-primary'].complete.p50
  const flat = db(last) / db(first)
  const later = rows.filter((row) => row.size >= BELOW_ORIGINAL_FROM)
  const jsonOnly = last.phases['json-only'].complete.p50
  return [
    goal(
      GOAL_NAMES.flat,
      `p50 ${ms(db(last))} at ${count(last.size)}`,
      `the same completer's p50 at ${count(first.size)}: ${ms(db(first))}`,
      times(flat),
      last.size > first.size ? flat < 2 : undefined,
    ),
    goal(
      GOAL_NAMES.belowOriginal,
      later.length === 0
        ? `no size ≥ ${count(BELOW_ORIGINAL_FROM)} measured`
        : later.map((row) => `p50 ${ms(db(row))} at ${count(row.size)}`).join(', '),
      later.length === 0
        ? '—'
        : `original: ${later.map((row) => `${ms(row.reference.p50)} at ${count(row.size)}`).join(', ')}`,
      later.length === 0 ? '—' : later.map((row) => times(db(row) / row.reference.p50)).join(', '),
      later.length === 0 ? undefined : later.every((row) => db(row) < row.reference.p50),
    ),
    goal(
      GOAL_NAMES.jsonOnly,
      `p50 ${ms(jsonOnly)}`,
      `original at ${count(last.size)}: ${ms(last.reference.p50)}`,
      times(jsonOnly / last.reference.p50),
      jsonOnly < last.reference.p50,
    ),
  ]
}

const goalsTable = (goals) => `| goal | measured | reference | ratio | result |
|---|---|---|---|---|
${goals.map((row) => `| ${row.name} | ${row.measured} | ${row.reference} | ${row.ratio} | ${verdict(row.met)} |`).join('\n')}`

const escapeCell = (text) => text.replaceAll('|', '\\|').replaceAll('\n', ' ')

/** Measures every size in both phases and returns the BENCHMARKS.md section. */
export async function pythonClientSection(work) {
  if (process.env.BENCH_SKIP_PYTHON_CLIENT === '1') {
    return notRun('skipped with BENCH_SKIP_PYTHON_CLIENT=1')
  }
  const python = spawnSync(PYTHON, ['--version'], { stdio: ['ignore', 'pipe', 'pipe'] })
  if (python.status !== 0) {
    return notRun(
      `\`${PYTHON} --version\` failed (${python.error?.message ?? `exit ${python.status}`}); set BENCH_PYTHON`,
    )
  }
  const pythonVersion = `${python.stdout}${python.stderr}`.trim()
  // The completer's cost is mostly process start-ups, which other work on the machine stretches.
  const loadAtStart = loadavg()[0]
  const rows = []
  let startup
  let failure
  try {
    const startupDir = join(work, 'python-client-startup')
    mkdirSync(startupDir, { recursive: true })
    startup = stats(
      driver(
        ['startup', '--runs', String(STARTUP_RUNS)],
        clientEnv(join(startupDir, 'unused.db')),
        startupDir,
      ).ms,
    )
    rmSync(startupDir, { recursive: true, force: true })
    console.log(
      `python client: \`skill-metrics --version\` from Python, median of ${STARTUP_RUNS}: ${ms(startup.p50)}`,
    )
    for (const size of SIZES) rows.push(measureSize(work, size))
  } catch (error) {
    if (!(error instanceof SectionFailure)) throw error
    failure = error.message
    console.log(`python client: FAILED: ${failure}`)
  }
  if (failure !== undefined) {
    return {
      markdown: `## Python client: the completer's cost to its caller

**The section FAILED**: ${escapeCell(failure)}
`,
      goals: goalsNotMeasured(`failed: ${escapeCell(failure).slice(0, 200)}`, false),
      failed: true,
    }
  }
  const goals = sectionGoals(rows)
  const loadAtEnd = loadavg()[0]
  const late = rows.some((row) => PHASES.some((phase) => row.phases[phase].withinBound < CALLS))
  const runs = rows.flatMap((row) => PHASES.map((phase) => ({ row, run: row.phases[phase] })))
  const bound = runs[0]?.run.bound
  const broken = runs.filter(({ run }) => !run.ok)
  const logLines = runs.flatMap(({ run }) =>
    [...new Set(run.log)].map(
      (line) => `- ${count(run.size)}, ${run.phase}: ${escapeCell(line).slice(0, 300)}`,
    ),
  )
  const table = runs
    .map(
      ({ row, run }) =>
        `| ${count(row.size)} | ${run.phase} | **${ms(run.complete.p50)}** / ${ms(run.complete.max)} | ${ms(run.append.p50)} | ${ms(run.apply.p50)} | ${ms(run.visible.p50)} / ${ms(run.visible.max)}${run.metricsRuns > 1 ? ` (up to ${run.metricsRuns} \`metrics\` runs)` : ''} | ${run.withinBound}/${run.calls} | ${ms(row.reference.p50)} | ${times(run.complete.p50 / row.reference.p50)} |`,
    )
    .join('\n')
  const markdown = `## Python client: the completer's cost to its caller

\`node bench/python-client.mjs\` (alone or in \`pnpm bench\`; \`BENCH_PY_SIZES\`, default
1000,10000,100000; \`BENCH_PY_CALLS\`, default 7; \`BENCH_PYTHON\`, default python3). A Python
caller (${escapeCell(pythonVersion)}, bench/python_client_bench.py, with \`PYTHONPATH=clients/python\`)
runs \`complete = SkillMetricsTracker(F).track_invocation("${SKILL}", "bench")\` and times
\`complete(completed=True, follow_up_actions=["commit"])\`, ${CALLS} calls in a row per row of the table,
on a legacy file generated by \`skill-metrics generate F --invocations N\`; **json-only** is that
file untouched, **db-primary** the same file taken through \`schema migrate\`, \`phase dual-write\`,
\`data migrate\`, \`data validate\`, \`phase dual-read\` and \`cutover\` on SQLite
(\`SKILL_METRICS_DB=sqlite:…\`).

What a completer does: it appends one JSON line to the group-commit journal beside the legacy file
(\`F.journal\`) and fsyncs it, then sends that line to the tracker's one CLI run,
\`skill-metrics journal apply --serve\`, which applies the entry where the phase keeps the truth
(json-only: a rewrite of the whole legacy file under the writers' lock; db-primary: a few rows in
the database) and answers; the completer waits for the answer up to its bound (${bound ?? 'n/a'} s;
an entry not answered by then is applied by that run later). The first call of a row starts the
run, so it alone pays a Node + oclif start-up — \`skill-metrics --version\` run from Python takes
**${ms(startup.p50)}** here (median of ${STARTUP_RUNS}) — and the database's connection: it is the
row's max, and the p50 is what every later completion costs.

"Visible" is the time from the call of \`complete\` to the end of the first
\`skill-metrics metrics --json\` run whose \`total_invocations\` for the bench skill includes the
invocation (one \`metrics\` run right after the completer when it applied the entry in time: the
completer plus one read). The reference is what the original Python tracker does on every
completion for a file of that size: \`json.load\` + \`json.dumps(data, indent=2)\` + \`write_text\`,
on a copy of the same file, median of ${REFERENCE_RUNS} (no lock, no fsync). Times are p50 / max over
the ${CALLS} calls; the first call of a row pays the cold caches.${late ? ' Where the completer returned at its bound, its CLI run was still going while the `metrics` runs polled, and they shared the cores with it.' : ''}
Load average (1 min) at the section's start ${loadAtStart.toFixed(1)}, at its end ${loadAtEnd.toFixed(1)}, on
${cpus().length} cores (${Math.max(loadAtStart, loadAtEnd) > cpus().length ? 'above the core count: other work shared the machine, and the times are longer than on a quiet one' : 'not above the core count'}).

| stored invocations | phase | completer p50 / max | of it: journal append + fsync (p50) | of it: the CLI run applying it (p50) | visible in \`metrics\` p50 / max | applied within the bound | original tracker: load + dumps + write | completer ÷ original (p50) |
|---|---|---|---|---|---|---|---|---|
${table}

${
  broken.length === 0
    ? `Every invocation was visible, and each final \`metrics\` total for the bench skill was exactly the ${CALLS} calls.`
    : `**The section FAILED**: ${broken.map(({ run }) => `${count(run.size)} ${run.phase}: ${run.neverVisible} invocation(s) never visible, final total ${run.final} (expected ${run.expectedFinal})`).join('; ')}.`
}
${logLines.length === 0 ? '' : `\nThe client logged:\n\n${logLines.join('\n')}\n`}
${goalsTable(goals)}
`
  return { markdown, goals, failed: broken.length > 0 }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const work = mkdtempSync(join(tmpdir(), 'skill-metrics-python-client-bench-'))
  try {
    const section = await pythonClientSection(work)
    console.log(`\n${section.markdown}`)
    if (section.failed) process.exitCode = 1
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
