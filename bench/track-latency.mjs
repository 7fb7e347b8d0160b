// Track+complete latency against the number of stored invocations: the JSON tracker rewrites the
// whole file twice per invocation, the database store touches a few indexed rows.
import { copyFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { importLegacyDocument, parseDatabaseUrl, SkillMetricsStore } from '@skill-metrics/db-store'
import { generateLegacyFile, JsonFileTracker, loadLegacyFile } from '@skill-metrics/json-tracker'
import { renderLineChartSvg } from '@skill-metrics/report-html'
import { count, goal, quantile, root, verdict } from './measure.mjs'
import { scratchPostgres } from './postgres.mjs'

const SIZES = (process.env.BENCH_TRACK_SIZES ?? '1000,10000,100000').split(',').map(Number)

/** Samples for the JSON tracker shrink with size: one sample at 100k takes about a second. */
const jsonSamples = (size) => (size <= 1_000 ? 60 : size <= 10_000 ? 30 : 12)
const STORE_SAMPLES = 400
const STORES = [
  ['sqlite', 'SQLite'],
  ['postgres', 'PostgreSQL'],
]
const plotFile = join(root, 'bench/track-latency.svg')

async function latencies(tracker, samples) {
  const times = []
  for (let index = 0; index < samples; index += 1) {
    const started = process.hrtime.bigint()
    const complete = await tracker.trackInvocation(`bench-${index % 7}`, { workflowPath: 'bench' })
    await complete({ followUpActions: ['commit'] })
    times.push(Number(process.hrtime.bigint() - started) / 1e6)
  }
  times.sort((a, b) => a - b)
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), samples }
}

async function storeLatency(url, document) {
  const store = await SkillMetricsStore.open({ target: parseDatabaseUrl(url), migrate: true })
  try {
    await importLegacyDocument(store, document)
    return await latencies(store, STORE_SAMPLES)
  } finally {
    await store.close()
  }
}

const ms = (value) =>
  value === undefined ? 'n/a' : `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`

/** The report's charting (ECharts SSR, Okabe–Ito colours): p50 and p99 of each store, log-log. */
const latencyPlot = (rows) =>
  renderLineChartSvg({
    title: 'Track + complete latency against stored invocations',
    xName: 'stored invocations',
    yName: 'latency (ms)',
    logX: true,
    logY: true,
    series: [
      ['json', 'JSON tracker'],
      ['sqlite', 'SQLite store'],
      ['postgres', 'PostgreSQL store'],
    ]
      .filter(([key]) => rows.every((row) => row[key] !== undefined))
      .flatMap(([key, name]) =>
        ['p50', 'p99'].map((quantileName) => ({
          name: `${name} ${quantileName}`,
          points: rows.map((row) => [row.size, row[key][quantileName]]),
        })),
      ),
  })

/** Measures every size and returns the BENCHMARKS.md section. */
export async function trackLatencySection(work) {
  const rows = []
  for (const size of SIZES) {
    const file = join(work, `track-${size}.json`)
    await generateLegacyFile(file, { invocations: size, overwrite: true })
    const document = await loadLegacyFile(file)
    const jsonFile = join(work, `track-${size}-json.json`)
    copyFileSync(file, jsonFile)
    const json = await latencies(new JsonFileTracker({ file: jsonFile }), jsonSamples(size))
    const sqlite = await storeLatency(`sqlite:${join(work, `track-${size}.db`)}`, document)
    const database = await scratchPostgres('track')
    const postgres =
      database === undefined
        ? undefined
        : await storeLatency(database.url, document).finally(database.drop)
    rows.push({ size, json, sqlite, postgres })
    console.log(
      `${size.toLocaleString('en')} stored: JSON p50 ${ms(json.p50)} p99 ${ms(json.p99)} · SQLite p50 ${ms(sqlite.p50)} p99 ${ms(sqlite.p99)} · PostgreSQL p50 ${ms(postgres?.p50)} p99 ${ms(postgres?.p99)}`,
    )
  }
  writeFileSync(plotFile, latencyPlot(rows))
  const first = rows[0]
  const last = rows.at(-1)
  const goals = []
  for (const [key, store] of STORES) {
    if (last[key] === undefined) continue
    const flat = last[key].p50 / first[key].p50
    goals.push(
      goal(
        `${store} store stays flat: p50 at ${count(last.size)} stored < 2× p50 at ${count(first.size)}`,
        `p50 ${ms(last[key].p50)} at ${count(last.size)}`,
        `the same store's p50 at ${count(first.size)}: ${ms(first[key].p50)}`,
        `${flat.toFixed(2)}×`,
        flat < 2,
      ),
    )
  }
  for (const [key, store] of STORES) {
    if (last[key] === undefined) continue
    const faster = last.json.p50 / last[key].p50
    goals.push(
      goal(
        `${store} store ≥ 100× faster than the JSON tracker at ${count(last.size)} stored (p50)`,
        `p50 ${ms(last[key].p50)}`,
        `JSON tracker's p50 at ${count(last.size)}: ${ms(last.json.p50)}`,
        `${faster.toFixed(0)}× faster`,
        faster >= 100,
      ),
    )
  }
  const markdown = `## Track + complete latency against stored invocations

One \`trackInvocation\` and its completer, timed together, in one process, on a store holding a
generated history of that size. JSON tracker: ${SIZES.map((size) => `${jsonSamples(size)}`).join(' / ')}
samples per size (each rewrites the whole file twice); database stores: ${STORE_SAMPLES} samples.

| stored invocations | JSON tracker p50 / p99 | SQLite store p50 / p99 | PostgreSQL store p50 / p99 | JSON ÷ SQLite (p50) |
|---|---|---|---|---|
${rows
  .map(
    (row) =>
      `| ${row.size.toLocaleString('en')} | ${ms(row.json.p50)} / ${ms(row.json.p99)} | ${ms(row.sqlite.p50)} / ${ms(row.sqlite.p99)} | ${ms(row.postgres?.p50)} / ${ms(row.postgres?.p99)} | ${(row.json.p50 / row.sqlite.p50).toFixed(0)}× |`,
  )
  .join('\n')}

![Track + complete latency against stored invocations, log-log](bench/${basename(plotFile)})

| goal | measured | reference | ratio | result |
|---|---|---|---|---|
${goals.map((row) => `| ${row.name} | ${row.measured} | ${row.reference} | ${row.ratio} | ${verdict(row.met)} |`).join('\n')}
`
  return { markdown, goals }
}
