// `report --html` against `metrics` on the same legacy file (issue 19): the report is built in
// one streaming pass, so it should cost at most twice the pass `metrics` makes, and its HTML stay
// small enough to mail (2 MB) however many invocations the file holds.
//
// Alone: `node bench/report-html.mjs [FILE]` (generates BENCH_INVOCATIONS, default 1,000,000,
// when no file is given) prints the section; `pnpm bench` runs it on its large file.
import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { count, goal, measureCli, times } from './measure.mjs'

const MAX_HTML_BYTES = 2 * 2 ** 20

/** Times `metrics --json` and `report --html` (both `--source json`) on `file`, in turn, twice. */
export async function reportHtmlSection(work, file, invocations) {
  const html = join(work, 'report.html')
  const runs = [1, 2].map((round) => ({
    metrics: measureCli(work, `metrics ${count(invocations)} (round ${round})`, [
      'metrics',
      '--json-file',
      file,
      '--source',
      'json',
      '--json',
    ]),
    report: measureCli(work, `report --html ${count(invocations)} (round ${round})`, [
      'report',
      '--html',
      html,
      '--json-file',
      file,
      '--source',
      'json',
    ]),
  }))
  // The faster of two rounds each: the first pays the cold page cache for both.
  const best = (pick) => Math.min(...runs.map((run) => pick(run).seconds))
  const metrics = best((run) => run.metrics)
  const report = best((run) => run.report)
  const bytes = statSync(html).size
  const rss = Math.max(...runs.map((run) => run.report.rssMiB))
  return {
    markdown: `## HTML report

\`node bench/report-html.mjs\` (alone or in \`pnpm bench\`): \`skill-metrics report --html\` and
\`skill-metrics metrics --json\` on the same legacy file of ${count(invocations)} invocations, both
\`--source json\`, in turn, twice; the faster round of each (the first pays the cold page cache).

| work | wall time | peak RSS |
|---|---|---|
| \`metrics --json\` | ${metrics.toFixed(2)} s | ${Math.max(...runs.map((run) => run.metrics.rssMiB)).toFixed(0)} MiB |
| \`report --html\` (one streaming pass, ECharts SSR, the file written) | ${report.toFixed(2)} s | ${rss.toFixed(0)} MiB |
| the HTML it wrote | ${(bytes / 2 ** 20).toFixed(2)} MiB | |
`,
    goals: [
      goal(
        `\`report --html\` of ${count(invocations)} invocations ≤ 2× \`metrics\` on the same file`,
        `${report.toFixed(2)} s`,
        `\`metrics --json\`: ${metrics.toFixed(2)} s`,
        times(report / metrics),
        report <= 2 * metrics,
      ),
      goal(
        `its HTML ≤ 2 MB`,
        `${(bytes / 2 ** 20).toFixed(2)} MiB`,
        'none: a fixed budget of 2 MiB',
        `${times(bytes / MAX_HTML_BYTES)} the budget`,
        bytes <= MAX_HTML_BYTES,
      ),
    ],
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const work = mkdtempSync(join(tmpdir(), 'skill-metrics-bench-report-'))
  const invocations = Number(process.env.BENCH_INVOCATIONS ?? 1_000_000)
  let file = process.argv[2]
  if (file === undefined) {
    file = join(work, 'legacy.json')
    measureCli(work, `generate ${count(invocations)}`, [
      'generate',
      file,
      '--invocations',
      String(invocations),
    ])
  }
  const section = await reportHtmlSection(work, file, invocations)
  console.log(section.markdown)
  for (const row of section.goals) console.log(row)
}
