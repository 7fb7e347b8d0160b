import { mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SKILL_TABLE_FIELDS } from '@skill-metrics/report-html'
import { openReport, type ReportView, whyNoChromium } from '@skill-metrics/testing/report-browser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyFixture, makeTempDir, removeDir, runCli } from './support.js'

// `report --html` writes one self-contained page: opened from disk in headless Chromium it must
// load nothing from the network, log no error, draw every chart and show the numbers
// `metrics --json` gives for the same file. Outside CI a machine without Chromium skips this
// (saying why); in CI, where .ci/run installs Debian's chromium, a missing browser fails it.

const noChromium = whyNoChromium()
const inCi = Boolean(process.env.CI)
if (noChromium !== undefined && !inCi) {
  console.warn(`report --html browser test skipped: ${noChromium}`)
}

/** Where a run keeps what it made for people to look at: never the working tree. */
const artifacts = process.env.SKILL_METRICS_ARTIFACTS ?? join(tmpdir(), 'skill-metrics-artifacts')

describe.skipIf(noChromium !== undefined && !inCi)('report --html in headless Chromium', () => {
  let dir: string
  let view: ReportView
  let metrics: Record<string, Record<string, unknown>>

  beforeAll(async () => {
    if (noChromium !== undefined) {
      throw new Error(`CI must have a Chromium for the report's browser test: ${noChromium}`)
    }
    dir = await makeTempDir('sm-report-html-')
    const legacy = await copyFixture('medium', dir)
    const html = join(dir, 'out.html')
    const [report, metricsRun] = await Promise.all([
      runCli(['report', '--html', html, '--json-file', legacy], { cwd: dir }),
      runCli(['metrics', '--json', '--json-file', legacy], { cwd: dir }),
    ])
    expect(report.exitCode, report.stderr).toBe(0)
    expect(metricsRun.exitCode, metricsRun.stderr).toBe(0)
    metrics = JSON.parse(metricsRun.stdout)
    await mkdir(artifacts, { recursive: true })
    view = await openReport(html, {
      screenshot: join(artifacts, 'report-html-medium.png'),
      viewport: { width: 1280, height: 800 },
    })
    console.log(`report --html screenshot: ${view.screenshot}`)
  })

  afterAll(async () => {
    if (dir !== undefined) await removeDir(dir)
  })

  it('logs no error and makes no network request', () => {
    expect(view.consoleErrors).toEqual([])
    expect(view.networkRequests).toEqual([])
  })

  it('draws every chart, each under a title', () => {
    expect(view.svgCount).toBeGreaterThanOrEqual(5)
    expect(view.chartTitles).toHaveLength(view.svgCount)
    for (const title of view.chartTitles) expect(title).not.toBe('')
  })

  it("shows each skill's numbers exactly as metrics --json gives them", () => {
    const expected = Object.fromEntries(
      Object.entries(metrics).map(([skill, values]) => [
        skill,
        Object.fromEntries(SKILL_TABLE_FIELDS.map((field) => [field, values[field] ?? null])),
      ]),
    )
    expect(Object.keys(expected).length).toBeGreaterThan(0)
    expect(view.skills).toEqual(expected)
  })
})
