// `pnpm bench`: measures the CLI against its references in the same run and writes BENCHMARKS.md.
// Benchmarks are not tests: they report numbers and whether each goal is met; they fail only when
// a measured command itself fails.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { backfillSection } from './backfill.mjs'
import { trackLatencySection } from './track-latency.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const cli = join(root, 'apps/cli/bin/run.js')
const rssPreload = join(root, 'bench/report-rss.mjs')
const invocations = Number(process.env.BENCH_INVOCATIONS ?? 1_000_000)
const work = mkdtempSync(join(tmpdir(), 'skill-metrics-bench-'))

/** Runs one node process and returns its wall time and peak RSS. */
function measure(label, args) {
  const rssFile = join(work, 'rss')
  const started = process.hrtime.bigint()
  const run = spawnSync(process.execPath, ['--import', rssPreload, ...args], {
    env: { ...process.env, BENCH_RSS_FILE: rssFile },
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 26,
  })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  if (run.status !== 0) throw new Error(`${label} failed (exit ${run.status}): ${run.stderr}`)
  const rssBytes = Number(readFileSync(rssFile, 'utf8'))
  console.log(`${label}: ${seconds.toFixed(2)} s, peak RSS ${(rssBytes / 2 ** 20).toFixed(0)} MiB`)
  return { label, seconds, rssMiB: rssBytes / 2 ** 20 }
}

const machine = () => {
  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root }).toString().trim()
    } catch {
      return 'unknown'
    }
  })()
  return `${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}; commit ${commit}`
}

const legacyFile = join(work, 'skill_metrics.json')
try {
  const generate = measure(`generate ${invocations.toLocaleString('en')}`, [
    cli,
    'generate',
    legacyFile,
    '--invocations',
    String(invocations),
  ])
  const fileMiB = statSync(legacyFile).size / 2 ** 20
  const metrics = measure('skill-metrics metrics (streaming)', [
    cli,
    'metrics',
    '--json-file',
    legacyFile,
    '--json',
  ])
  const reference = measure('JSON.parse script (reference)', [
    join(root, 'bench/json-parse-metrics.mjs'),
    legacyFile,
  ])

  const rows = [
    [
      `\`generate\` ${invocations.toLocaleString('en')} invocations (${fileMiB.toFixed(0)} MiB)`,
      `${generate.seconds.toFixed(2)} s`,
      `${generate.rssMiB.toFixed(0)} MiB`,
      '< 10 s',
      generate.seconds < 10 ? 'met' : 'NOT met',
    ],
    [
      '`metrics --json` of that file (streaming reader)',
      `${metrics.seconds.toFixed(2)} s`,
      `${metrics.rssMiB.toFixed(0)} MiB`,
      'memory independent of file size',
      `${(metrics.rssMiB / reference.rssMiB).toFixed(2)}× the reference's memory`,
    ],
    [
      'reference: minimal `JSON.parse` script, same answer',
      `${reference.seconds.toFixed(2)} s`,
      `${reference.rssMiB.toFixed(0)} MiB`,
      '—',
      `ours takes ${(metrics.seconds / reference.seconds).toFixed(2)}× its time`,
    ],
  ]
  const table = [
    '| work | wall time | peak RSS | goal | result |',
    '|---|---|---|---|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n')
  const backfill = await backfillSection(root, work, legacyFile, invocations)
  const trackLatency = await trackLatencySection(work)
  const report = `# Benchmarks

Written by \`pnpm bench\` (bench/run.mjs) on ${new Date().toISOString().slice(0, 10)}.
Machine: ${machine()}.

## Legacy file: generate and read

Each number is one run of a fresh process (wall time from spawn to exit, peak RSS from
\`process.resourceUsage().maxRSS\`); the reference runs in the same session on the same file.

${table}

The streaming reader keeps memory flat: it holds the skills and one duration per completed
invocation, never the records. The \`JSON.parse\` reference must hold the whole file, its parsed
objects and the text at once, and it gets skills named like numbers in the wrong order.

${backfill}
${trackLatency}`
  writeFileSync(join(root, 'BENCHMARKS.md'), report)
  console.log(`\n${table}\n\nwritten to BENCHMARKS.md`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
