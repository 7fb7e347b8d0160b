import { accessSync, constants, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium } from 'playwright-core'

/**
 * Opens an HTML report of `skill-metrics report --html` in headless Chromium, as a reader opening
 * the file from disk would: the browser test (apps/cli/test/report-html.test.ts) and
 * `pnpm report:screenshot` (docs/report.png) share it, so the picture is of what the test checked.
 *
 * The browser is Debian's `chromium` package (`.ci/run` installs it), driven by playwright-core,
 * which downloads no browser of its own.
 */

/** Where the browser is looked for when `SKILL_METRICS_CHROMIUM` is not set. */
const DEBIAN_CHROMIUM = '/usr/bin/chromium'

export type ChromiumLookup = { path: string } | { reason: string }

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/**
 * The Chromium to drive: `SKILL_METRICS_CHROMIUM` when set (and then only it), else
 * /usr/bin/chromium, else `chromium` on PATH; or why none is usable.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumLookup {
  const chosen = env.SKILL_METRICS_CHROMIUM
  if (chosen !== undefined && chosen !== '') {
    return executable(chosen)
      ? { path: chosen }
      : { reason: `SKILL_METRICS_CHROMIUM=${chosen} is not an executable file` }
  }
  if (executable(DEBIAN_CHROMIUM)) return { path: DEBIAN_CHROMIUM }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && executable(join(dir, 'chromium'))) return { path: join(dir, 'chromium') }
  }
  return {
    reason:
      `no Chromium found: SKILL_METRICS_CHROMIUM is not set, ${DEBIAN_CHROMIUM} is missing and ` +
      'no `chromium` is on PATH (Debian: `apt-get install -y chromium`)',
  }
}

/** Why no Chromium is usable, or undefined when one is. */
export function whyNoChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const found = findChromium(env)
  return 'reason' in found ? found.reason : undefined
}

export interface OpenReportOptions {
  /** Where to write a full-page PNG of the report. */
  screenshot: string
  /** The window's size; the screenshot is as wide and as tall as the whole page. */
  viewport?: { width: number; height: number }
}

export interface ReportView {
  /** Console messages of type error and uncaught page errors, in the order they came. */
  consoleErrors: string[]
  /** Every request the page made that was not for a file:// URL (each was aborted). */
  networkRequests: string[]
  svgCount: number
  /** The title of the element holding each chart (`<svg>`), in document order; '' for none. */
  chartTitles: string[]
  /** The per-skill table, `<table id="skills">`: skill → field → number, null for an empty cell. */
  skills: Record<string, Record<string, number | null>>
  /** The screenshot's path, as given. */
  screenshot: string
}

// The few DOM types the page function below uses: the packages compile without the DOM library,
// and these stay in this module.
interface PageElement {
  readonly tagName: string
  readonly parentElement: PageElement | null
  readonly children: Iterable<PageElement>
  readonly textContent: string | null
  getAttribute(name: string): string | null
  closest(selector: string): PageElement | null
  contains(other: PageElement): boolean
  querySelectorAll(selector: string): Iterable<PageElement>
}
declare const document: { querySelectorAll(selector: string): Iterable<PageElement> }

/** Schemes that never leave the page: inline data, not network. */
const LOCAL_SCHEMES = ['file:', 'data:', 'blob:', 'about:']

function isLocal(url: string): boolean {
  return LOCAL_SCHEMES.some((scheme) => url.startsWith(scheme))
}

/**
 * Opens `htmlPath` as a file:// URL in headless Chromium, aborting (and recording) every request
 * that would leave the disk, waits for it to load, and reads back what a reader sees.
 */
export async function openReport(
  htmlPath: string,
  options: OpenReportOptions,
): Promise<ReportView> {
  const found = findChromium()
  if ('reason' in found) throw new Error(found.reason)
  const browser = await chromium.launch({
    executablePath: found.path,
    headless: true,
    args: [
      // Chromium refuses to start its sandbox as root (CI and containers run as root).
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      // Containers often give /dev/shm 64 MB, too little for a full-page screenshot.
      '--disable-dev-shm-usage',
    ],
  })
  try {
    const context = await browser.newContext({
      viewport: options.viewport ?? { width: 1280, height: 800 },
      deviceScaleFactor: 1,
      serviceWorkers: 'block',
    })
    const consoleErrors: string[] = []
    const networkRequests: string[] = []
    // Recorded as they are made, even those the route below aborts.
    context.on('request', (request) => {
      if (!isLocal(request.url())) networkRequests.push(request.url())
    })
    await context.route(
      (url) => !isLocal(url.href),
      (route) => route.abort('blockedbyclient'),
    )
    const page = await context.newPage()
    page.on('websocket', (socket) => networkRequests.push(socket.url()))
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text())
    })
    page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`))
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' })
    const read = await page.evaluate(() => {
      const titleOf = (svg: PageElement): string => {
        for (let at = svg.parentElement; at !== null; at = at.parentElement) {
          const attribute = at.getAttribute('title') ?? at.getAttribute('aria-label')
          if (attribute !== null && attribute.trim() !== '') return attribute.trim()
          const heading = [...at.children].find(
            (child) =>
              child !== svg &&
              !child.contains(svg) &&
              /^(H[1-6]|FIGCAPTION|CAPTION|LEGEND)$/.test(child.tagName),
          )
          const text = heading?.textContent?.trim()
          if (text) return text
        }
        return ''
      }
      // An <svg> inside another is part of a chart, not one more.
      const svgs = [...document.querySelectorAll('svg')].filter(
        (svg) => !svg.parentElement?.closest('svg'),
      )
      const skills: Record<string, Record<string, number | null>> = {}
      for (const row of document.querySelectorAll('table#skills tr[data-skill]')) {
        const fields: Record<string, number | null> = {}
        for (const cell of row.querySelectorAll('td[data-field]')) {
          const raw = cell.getAttribute('data-value') ?? ''
          fields[cell.getAttribute('data-field') ?? ''] = raw === '' ? null : Number(raw)
        }
        skills[row.getAttribute('data-skill') ?? ''] = fields
      }
      return { svgCount: svgs.length, chartTitles: svgs.map(titleOf), skills }
    })
    await page.screenshot({ path: options.screenshot, fullPage: true, type: 'png' })
    return { consoleErrors, networkRequests, ...read, screenshot: options.screenshot }
  } finally {
    await browser.close()
  }
}
