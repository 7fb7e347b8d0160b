import type { ReportModel } from '@skill-metrics/core'
import { parse } from 'node-html-parser'
import { describe, expect, it } from 'vitest'
import { OKABE_ITO, renderHtmlReport, renderLineChartSvg, SKILL_TABLE_FIELDS } from './index.js'
import { CHART_TITLES } from './report-charts.js'
import { EMPTY_MODEL, HOSTILE_NAME, sampleModel } from './test-support/report-models.js'

const model = sampleModel({ skillCount: 6, dayCount: 40, firstSkillName: HOSTILE_NAME })
const html = renderHtmlReport(model)
const page = parse(html)

const CHART_IDS = {
  'chart-invocations': CHART_TITLES.invocations,
  'chart-durations': CHART_TITLES.durations,
  'chart-per-day': CHART_TITLES.perDay,
  'chart-workflow-paths': CHART_TITLES.workflowPaths,
  'chart-follow-up-actions': CHART_TITLES.followUpActions,
}

const svgsOf = (markup: string) => markup.match(/<svg[\s\S]*?<\/svg>/g) ?? []

/** The raw values of a details table's rows: the label cell, then each number cell's data-value. */
function detailsRows(chartId: string): Array<[string, ...string[]]> {
  const rows = page.querySelectorAll(`#${chartId} details tbody tr`)
  return rows.map((row) => {
    const [label, ...numbers] = row.querySelectorAll('td')
    return [label!.text, ...numbers.map((cell) => cell.getAttribute('data-value')!)]
  })
}

/** As `skill-metrics metrics --json` names them: the contract the browser test relies on. */
const METRICS_FIELDS = [
  'total_invocations',
  'completed_invocations',
  'abandoned_invocations',
  'completion_rate',
  'p50_duration_seconds',
  'p95_duration_seconds',
  'p99_duration_seconds',
]

const raw = (value: number | null) => (value === null ? '' : String(value))

describe('renderHtmlReport', () => {
  it('draws every chart with its title, each an ECharts SVG', () => {
    expect(svgsOf(html)).toHaveLength(Object.keys(CHART_IDS).length)
    for (const [id, title] of Object.entries(CHART_IDS)) {
      const svg = svgsOf(page.querySelector(`#${id}`)!.outerHTML)
      expect(svg, id).toHaveLength(1)
      expect(svg[0]).toContain(`>${title}</text>`)
      expect(page.querySelector(`#${id}`)!.getAttribute('aria-label')).toBe(title)
      // Written by ECharts' server-side renderer, not by hand.
      expect(svg[0]).toContain('ecmeta_ssr_type=')
    }
  })

  it('labels each axis with what it counts', () => {
    const texts = (id: string) =>
      page.querySelectorAll(`#${id} svg text`).map((text) => text.text.trim())
    expect(texts('chart-invocations')).toEqual(
      expect.arrayContaining(['invocations', 'skill', 'completion rate (%)']),
    )
    expect(texts('chart-durations')).toEqual(expect.arrayContaining(['seconds', 'skill']))
    expect(texts('chart-per-day')).toEqual(expect.arrayContaining(['day', 'invocations']))
    expect(texts('chart-workflow-paths')).toEqual(
      expect.arrayContaining(['invocations', 'workflow path']),
    )
    expect(texts('chart-follow-up-actions')).toEqual(
      expect.arrayContaining(['invocations', 'follow-up action']),
    )
  })

  it('lists beside each chart exactly the numbers it draws', () => {
    expect(detailsRows('chart-invocations')).toEqual(
      model.skills.map((skill) => [
        skill.name,
        raw(skill.invocations),
        raw(skill.completed),
        raw(skill.abandoned),
        raw(skill.completionRate),
      ]),
    )
    expect(detailsRows('chart-durations')).toEqual(
      model.skills
        .filter((skill) => skill.p50 !== null)
        .map((skill) => [skill.name, raw(skill.p50), raw(skill.p95), raw(skill.p99)]),
    )
    expect(detailsRows('chart-per-day')).toEqual(
      model.perDay.map((day) => [day.day, raw(day.completed), raw(day.abandoned)]),
    )
    expect(detailsRows('chart-workflow-paths')).toEqual(
      model.workflowPaths.map(([path, count]) => [path, raw(count)]),
    )
    expect(detailsRows('chart-follow-up-actions')).toEqual(
      model.followUpActions.map(([action, count]) => [action, raw(count)]),
    )
  })

  it('names every number of the skills table as `metrics --json` does, with its raw value', () => {
    const rows = page.querySelectorAll('table#skills tbody tr')
    expect(rows.map((row) => row.getAttribute('data-skill'))).toEqual(
      model.skills.map((skill) => skill.name),
    )
    for (const row of rows) {
      expect(
        row.querySelectorAll('td[data-field]').map((cell) => cell.getAttribute('data-field')),
      ).toEqual(METRICS_FIELDS)
      expect(SKILL_TABLE_FIELDS).toEqual(METRICS_FIELDS)
    }
    for (const skill of model.skills) {
      const row = rows.find((candidate) => candidate.getAttribute('data-skill') === skill.name)!
      const field = (name: string) =>
        row.querySelector(`td[data-field="${name}"]`)!.getAttribute('data-value')
      expect({
        total_invocations: field('total_invocations'),
        completed_invocations: field('completed_invocations'),
        abandoned_invocations: field('abandoned_invocations'),
        completion_rate: field('completion_rate'),
        p50_duration_seconds: field('p50_duration_seconds'),
        p95_duration_seconds: field('p95_duration_seconds'),
        p99_duration_seconds: field('p99_duration_seconds'),
      }).toEqual({
        total_invocations: raw(skill.invocations),
        completed_invocations: raw(skill.completed),
        abandoned_invocations: raw(skill.abandoned),
        completion_rate: raw(skill.completionRate),
        p50_duration_seconds: raw(skill.p50),
        p95_duration_seconds: raw(skill.p95),
        p99_duration_seconds: raw(skill.p99),
      })
      expect(row.querySelector('td.errors')!.text).toBe(
        skill.errors.map(([type, count]) => `${type} (${count})`).join(', '),
      )
    }
  })

  it('shows a skill without completed runs with empty durations', () => {
    const untimed = model.skills.find((skill) => skill.p50 === null)!
    const row = page.querySelector(`tr[data-skill="${untimed.name}"]`)!
    const cell = row.querySelector('td[data-field="p95_duration_seconds"]')!
    expect(cell.getAttribute('data-value')).toBe('')
    expect(cell.text).toBe('–')
  })

  it('escapes every string of the model', () => {
    expect(html).not.toContain('<script')
    expect(html).not.toContain(`'quotes'`)
    const row = page.querySelector('table#skills tbody tr')!
    expect(row.getAttribute('data-skill')).toBe(HOSTILE_NAME)
    expect(row.querySelector('th')!.text).toBe(HOSTILE_NAME)
    expect(page.querySelector('#chart-invocations svg')!.innerHTML).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;',
    )
    const forced = page.querySelector('#migration li[data-forced="true"]')!
    expect(forced.text).toContain('(validation <flaky> & retried)')
    expect(html).toContain('Timeout&lt;1&gt; (1)')
  })

  it('colours the charts from the Okabe–Ito palette only', () => {
    const lineChart = renderLineChartSvg({
      title: 'Latency',
      xName: 'stored invocations',
      yName: 'milliseconds',
      logX: true,
      series: Array.from({ length: 9 }, (_, index) => ({
        name: `series ${index}`,
        points: [
          [1_000, index + 1],
          [100_000, index + 3],
        ],
      })),
    })
    const svgs = [...svgsOf(html), lineChart]
    expect(svgs).toHaveLength(6)
    for (const svg of svgs) {
      const painted = [...svg.matchAll(/\s(?:fill|stroke|stop-color)="([^"]*)"/g)].map(
        (match) => match[1]!,
      )
      expect(painted.length).toBeGreaterThan(10)
      // Colours anywhere else, such as the hover rules of the SVG's own style sheet.
      const written = svg.match(/#[0-9a-f]{3,8}\b|rgba?\([^)]*\)|hsla?\([^)]*\)/gi) ?? []
      for (const colour of [...painted, ...written]) {
        expect(ALLOWED_PAINT, colour).toContain(normalisedColour(colour))
      }
    }
  })

  it('needs nothing from outside the page: no script, no link, no URL', () => {
    for (const output of [html, renderHtmlReport(EMPTY_MODEL)]) {
      expect(output).not.toMatch(/https?:\/\//i)
      expect(output).not.toMatch(/<script|<link|<iframe|<img|@import/i)
      expect(output).not.toMatch(/\s(?:xlink:)?(?:src|href)=/i)
      expect([...output.matchAll(/url\(([^)]*)\)/g)].map((match) => match[1])).toSatisfy(
        (targets: string[]) => targets.every((target) => target.startsWith('#')),
      )
    }
  })

  it('has a dark colour scheme and keeps the charts on a light card', () => {
    const style = page.querySelector('head style')!.text
    const dark = style.match(/@media \(prefers-color-scheme: dark\) \{([\s\S]*?)\n\}/)
    expect(dark?.[1]).toMatch(/--page: #[0-9a-f]{6}/)
    expect(dark?.[1]).toMatch(/--text: #[0-9a-f]{6}/)
    expect(style).toMatch(/body \{[^}]*background: var\(--page\); color: var\(--text\)/)
    expect(style).toMatch(/\.chart-card \{[^}]*background: #ffffff/)
    expect(style).toContain('color-scheme: light dark')
  })

  it('shows the migration: phases, validations, counters, foreign writes, backups, archive', () => {
    const migration = model.migration!
    const panel = page.querySelector('section#migration')!
    const phases = panel.querySelectorAll('ol.timeline li')
    expect(phases.map((item) => item.text)).toEqual([
      '2025-12-01T10:00:00Z legacy → copy by dev@example',
      '2025-12-02T11:00:00Z copy → dual-write by an unnamed actor forced (validation <flaky> & retried)',
    ])
    expect(panel.querySelectorAll('#validations tbody tr').map((row) => row.text)).toEqual([
      '2025-12-03T09:00:00Zfulldifferences found2 skills differ',
      '2025-12-02T12:00:00Zsamplecleanall equal',
    ])
    expect(panel.querySelector('[data-field="dual_write_misses"]')!.text).toBe(
      String(migration.dualWriteMisses),
    )
    expect(panel.querySelector('[data-field="dual_read_mismatches"]')!.text).toBe(
      String(migration.dualReadMismatches),
    )
    expect(panel.querySelector('#foreign-writes tbody')!.text).toBe('2025-12-03T08:00:00Zunknown')
    expect(panel.querySelector('#backups')!.text).toBe(migration.backups[0])
    expect(panel.text).toContain('No archive yet.')

    const archived = parse(
      renderHtmlReport({ ...model, migration: { ...migration, archive: '/a/b<c>.tar' } }),
    )
    expect(archived.querySelector('#migration [data-field="archive"]')!.text).toBe('/a/b<c>.tar')
  })

  it('says so when no migration was started', () => {
    const panel = parse(renderHtmlReport({ ...model, migration: null })).querySelector(
      'section#migration',
    )!
    expect(panel.text).toContain('No migration was started.')
  })

  it('renders an empty model as a page that says there is nothing yet', () => {
    const empty = renderHtmlReport(EMPTY_MODEL)
    expect(empty.startsWith('<!doctype html>')).toBe(true)
    expect(empty.trimEnd().endsWith('</html>')).toBe(true)
    expect(svgsOf(empty)).toHaveLength(0)
    const emptyPage = parse(empty)
    expect(emptyPage.querySelector('#usage')!.text).toContain('Nothing to report yet')
    expect(emptyPage.querySelector('#migration')!.text).toContain('No migration was started.')
    expect(emptyPage.querySelector('[data-field="invocations"]')!.text).toBe('0')
  })

  it('replaces a chart with a sentence when it has nothing to draw', () => {
    const untimed: ReportModel = {
      ...model,
      skills: model.skills.map((skill) => ({ ...skill, p50: null, p95: null, p99: null })),
      workflowPaths: [],
      followUpActions: [],
    }
    const partial = parse(renderHtmlReport(untimed))
    expect(partial.querySelectorAll('svg')).toHaveLength(2)
    for (const id of ['chart-durations', 'chart-workflow-paths', 'chart-follow-up-actions']) {
      expect(partial.querySelector(`p.nothing#${id}`), id).toBeTruthy()
    }
  })

  it('stays under 2 MB for 20 skills over ten years of days', () => {
    const large = renderHtmlReport(sampleModel({ skillCount: 20, dayCount: 3_650 }))
    expect(Buffer.byteLength(large)).toBeLessThanOrEqual(2_000_000)
    expect(svgsOf(large)).toHaveLength(5)
  })
})

describe('the package', () => {
  it('exports the renderer, its writer, the line chart and the palette, nothing else', async () => {
    expect(Object.keys(await import('./index.js')).sort()).toEqual([
      'OKABE_ITO',
      'SKILL_TABLE_FIELDS',
      'renderHtmlReport',
      'renderLineChartSvg',
      'writeHtmlReport',
    ])
    expect(OKABE_ITO).toEqual([
      '#000000',
      '#E69F00',
      '#56B4E9',
      '#009E73',
      '#F0E442',
      '#0072B2',
      '#D55E00',
      '#CC79A7',
    ])
  })
})

/**
 * No neutral greys are allowed: ECharts' own greys are replaced by palette black. `none` and a
 * transparent fill paint nothing.
 */
const ALLOWED_PAINT = [...OKABE_ITO.map((colour) => colour.toLowerCase()), 'none', 'transparent']

function normalisedColour(colour: string): string {
  const lower = colour.toLowerCase().replaceAll(' ', '')
  const short = lower.match(/^#([0-9a-f])([0-9a-f])([0-9a-f])$/)
  if (short) return `#${short[1]!.repeat(2)}${short[2]!.repeat(2)}${short[3]!.repeat(2)}`
  const rgb = lower.match(/^rgba?\((\d+),(\d+),(\d+)(?:,[\d.]+)?\)$/)
  if (rgb) {
    return `#${rgb
      .slice(1, 4)
      .map((channel) => Number(channel).toString(16).padStart(2, '0'))
      .join('')}`
  }
  return lower
}
