// Start-up: an agent runs `skill-metrics track` once per skill invocation, so the CLI's start is
// paid each time. Timed against a bare oclif 4 CLI with one no-op command (bench/bare-oclif, on
// the same @oclif/core), every command of a round run once in turn so that the machine's other
// load falls on all of them alike. `node bench/startup.mjs` runs this section alone.
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { count, goal, root, TO_DB_PRIMARY, verdict } from './measure.mjs'

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 15)
const SMALL_FILE = 1_000
const CLI = join(root, 'apps/cli/bin/run.js')
const BARE = join(root, 'bench/bare-oclif/bin/run.js')

function run(args, cwd) {
  const started = process.hrtime.bigint()
  const result = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  if (result.status !== 0) {
    throw new Error(`node ${args.join(' ')} failed (exit ${result.status}): ${result.stderr}`)
  }
  return seconds
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** A legacy file of `SMALL_FILE` invocations taken through the lifecycle to db-primary on SQLite. */
function dbPrimaryFile(work, legacy) {
  const jsonFile = join(work, 'startup-db-primary.json')
  copyFileSync(legacy, jsonFile)
  const flags = ['--json-file', jsonFile, '--db', `sqlite:${join(work, 'startup.db')}`]
  for (const step of TO_DB_PRIMARY) run([CLI, ...step, ...flags], work)
  return jsonFile
}

/** Measures every row, interleaved, and returns the BENCHMARKS.md section. */
export async function startupSection(work) {
  const legacy = join(work, 'startup-legacy.json')
  run([CLI, 'generate', legacy, '--invocations', String(SMALL_FILE)], work)
  const jsonOnly = join(work, 'startup-json-only.json')
  copyFileSync(legacy, jsonOnly)
  const dbPrimary = dbPrimaryFile(work, legacy)
  const rows = [
    { key: 'node', label: '`node -e 0` (context)', args: ['-e', '0'] },
    { key: 'bare', label: 'bare oclif 4 CLI, one no-op command (reference)', args: [BARE, 'noop'] },
    { key: 'version', label: '`skill-metrics --version`', args: [CLI, '--version'] },
    {
      key: 'jsonOnly',
      label: `\`skill-metrics track\` in json-only (${count(SMALL_FILE)} invocations)`,
      args: [CLI, 'track', 'bench', '--duration', '1', '--json-file', jsonOnly],
    },
    {
      key: 'dbPrimary',
      label: `\`skill-metrics track\` in db-primary on SQLite (${count(SMALL_FILE)} invocations)`,
      args: [CLI, 'track', 'bench', '--duration', '1', '--json-file', dbPrimary],
    },
  ]
  // One round first, not counted: the files are read from disk once, not on every run.
  for (const row of rows) run(row.args, work)
  const times = new Map(rows.map((row) => [row.key, []]))
  for (let round = 0; round < RUNS; round += 1) {
    for (const row of rows) times.get(row.key).push(run(row.args, work))
  }
  const medians = new Map([...times].map(([key, values]) => [key, median(values)]))
  const bare = medians.get('bare')
  const ms = (seconds) => `${(seconds * 1000).toFixed(0)} ms`
  for (const row of rows) console.log(`${row.label}: median ${ms(medians.get(row.key))}`)
  const goals = [
    ['version', '`skill-metrics --version`', 1.2],
    ['jsonOnly', `\`track\` in json-only (${count(SMALL_FILE)} invocations)`, 1.5],
    ['dbPrimary', `\`track\` in db-primary on SQLite (${count(SMALL_FILE)} invocations)`, 2],
  ].map(([key, name, bound]) => {
    const ratio = medians.get(key) / bare
    return goal(
      `start-up: ${name} ≤ ${bound}× a bare oclif CLI`,
      `${ms(medians.get(key))} (median of ${RUNS})`,
      `bare oclif 4 no-op command: ${ms(bare)}`,
      `${ratio.toFixed(2)}×`,
      ratio <= bound,
    )
  })
  const markdown = `## Start-up

Wall time from spawn to exit of a fresh process, median of ${RUNS} runs; each round runs every
row once in turn, after one round not counted. The reference is a bare oclif 4 CLI with one no-op
command and its manifest (bench/bare-oclif, on the CLI's @oclif/core). \`track\` records one
invocation in a legacy file of ${count(SMALL_FILE)}; in db-primary the file was taken through
schema migrate, dual-write, data migrate, data validate, dual-read and cutover on SQLite.

| command | median | ÷ bare oclif |
|---|---|---|
${rows.map((row) => `| ${row.label} | ${ms(medians.get(row.key))} | ${(medians.get(row.key) / bare).toFixed(2)}× |`).join('\n')}

| goal | measured | reference | ratio | result |
|---|---|---|---|---|
${goals.map((row) => `| ${row.name} | ${row.measured} | ${row.reference} | ${row.ratio} | ${verdict(row.met)} |`).join('\n')}
`
  return { markdown, goals }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const work = mkdtempSync(join(tmpdir(), 'skill-metrics-startup-'))
  try {
    console.log(`\n${(await startupSection(work)).markdown}`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
