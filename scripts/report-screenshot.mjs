// `pnpm report:screenshot`: docs/report.png, the README's picture of `skill-metrics report --html`
// for fixtures/legacy/medium.json, taken by the code the browser test runs
// (@skill-metrics/testing/report-browser), so the picture is of a report that passed its checks.
//
// A plain Node script run by turbo as the root task `report:screenshot:run` (after `^build`, as
// `pnpm demo`): it needs the built CLI, and it writes into the repository, which no package task
// should. The report is built from a copy of the fixture in a temporary folder.
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { registerTypeScript } from './typescript-hooks.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const fixture = join(root, 'fixtures/legacy/medium.json')
const picture = join(root, 'docs/report.png')
// Past this the picture is too heavy for a repository: the one of `medium` was 625 KB
// (1280 × 6312, its table of 20 skills and 5 charts).
const MAX_PNG_BYTES = 2 ** 20

registerTypeScript()
const { openReport, whyNoChromium } = await import('@skill-metrics/testing/report-browser')

const noChromium = whyNoChromium()
if (noChromium !== undefined) {
  console.error(`report:screenshot needs Chromium: ${noChromium}`)
  process.exit(1)
}

const work = mkdtempSync(join(tmpdir(), 'skill-metrics-screenshot-'))
try {
  const legacy = join(work, 'medium.json')
  const html = join(work, 'report.html')
  copyFileSync(fixture, legacy)
  const env = { ...process.env }
  delete env.SKILL_METRICS_JSON_FILE
  delete env.SKILL_METRICS_DB
  execFileSync(
    process.execPath,
    [
      join(root, 'apps/cli/bin/run.js'),
      'report',
      '--html',
      html,
      '--json-file',
      legacy,
      '--source',
      'json',
    ],
    { cwd: work, env, stdio: 'inherit' },
  )
  const view = await openReport(html, {
    screenshot: picture,
    viewport: { width: 1280, height: 800 },
  })
  const problems = [
    ...view.consoleErrors.map((error) => `console error: ${error}`),
    ...view.networkRequests.map((url) => `network request: ${url}`),
  ]
  if (problems.length > 0) throw new Error(`the report is not fit to show:\n${problems.join('\n')}`)
  const bytes = statSync(picture).size
  console.log(
    `${relative(root, picture)}: ${(bytes / 1024).toFixed(0)} KB, ${view.svgCount} charts, ` +
      `${Object.keys(view.skills).length} skills`,
  )
  if (bytes >= MAX_PNG_BYTES) throw new Error(`${relative(root, picture)} is 1 MB or more`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
