import type { ReportDay, ReportSkill } from '@skill-metrics/core'
import {
  type ChartOption,
  chartAxis,
  chartLegend,
  chartTitle,
  renderChartSvg,
} from './echarts-svg.js'
import {
  escapeHtml,
  formatCount,
  formatPercent,
  formatSeconds,
  numberCell,
  table,
  textCell,
} from './html.js'
import { PALETTE } from './palette.js'

const CHART_WIDTH = 760
/** Room for the title, the legend and the value axis around the bars of a horizontal chart. */
const BAR_CHART_FRAME = 130
const DAY_MS = 86_400_000

export const CHART_TITLES = {
  invocations: 'Invocations per skill',
  durations: 'Completed run durations per skill',
  perDay: 'Invocations per day',
  workflowPaths: 'Most used workflow paths',
  followUpActions: 'Most common follow-up actions',
} as const

/** The chart with, beside it, the numbers it draws for those who cannot or would rather not read it. */
function figure(id: string, title: string, svg: string, numbers: string): string {
  return (
    `<figure class="chart" id="${id}" aria-label="${escapeHtml(title)}"><div class="chart-card">${inlineSvg(svg, title)}</div>` +
    `<details><summary>Numbers in this chart</summary>${numbers}</details></figure>`
  )
}

const nothingToDraw = (id: string, sentence: string) =>
  `<p class="nothing" id="${id}">${escapeHtml(sentence)}</p>`

/**
 * The HTML parser puts an inline <svg> in the SVG namespace by itself, so the namespace
 * declarations ECharts writes for standalone files would only leave URLs in a page that promises
 * to hold none.
 */
function inlineSvg(svg: string, title: string): string {
  return svg.replace(/^<svg[^>]*>/, (rootTag) =>
    rootTag
      .replace(/ xmlns(?::xlink)?="[^"]*"/g, '')
      .replace(/>$/, ` role="img" aria-label="${escapeHtml(title)}">`),
  )
}

/** Horizontal bars: skill names and paths are too long to stand under vertical ones. */
const barChartHeight = (categories: number, barsPerCategory: number) =>
  BAR_CHART_FRAME + categories * (14 + 10 * barsPerCategory)

const categoryAxis = (name: string, labels: string[]) =>
  chartAxis(name, {
    type: 'category',
    data: labels,
    // The first of the model's order at the top, as in the tables.
    inverse: true,
    nameGap: 0,
    nameLocation: 'start',
    // Every label, however many: a bar without its name cannot be read.
    axisLabel: { color: PALETTE.black, interval: 0, width: 300, overflow: 'truncate' },
  })

export function invocationsChart(skills: ReportSkill[]): string {
  const { invocations: title } = CHART_TITLES
  const names = skills.map((skill) => skill.name)
  const option: ChartOption = {
    title: chartTitle(title),
    legend: chartLegend(),
    grid: { top: 72, bottom: 48, left: 16, right: 16 },
    xAxis: chartAxis('invocations', { type: 'value', minInterval: 1 }),
    yAxis: [
      categoryAxis('skill', names),
      chartAxis('completion rate (%)', {
        type: 'category',
        data: skills.map((skill) => formatPercent(skill.completionRate)),
        inverse: true,
        position: 'right',
        nameGap: 0,
        nameLocation: 'start',
        axisLine: { show: false },
        axisTick: { show: false },
      }),
    ],
    series: [
      runsSeries(
        'completed',
        PALETTE.bluishGreen,
        skills.map((skill) => skill.completed),
      ),
      runsSeries(
        'abandoned',
        PALETTE.vermillion,
        skills.map((skill) => skill.abandoned),
      ),
    ],
  }
  const rows = skills.map(
    (skill) =>
      `<tr>${textCell(skill.name)}${numberCell(skill.invocations, formatCount)}` +
      `${numberCell(skill.completed, formatCount)}${numberCell(skill.abandoned, formatCount)}` +
      `${numberCell(skill.completionRate, formatPercent)}</tr>`,
  )
  const numbers = table(
    ['Skill', 'Invocations', 'Completed', 'Abandoned', 'Completion rate (%)'],
    rows,
  )
  const height = barChartHeight(skills.length, 1)
  return figure(
    'chart-invocations',
    title,
    renderChartSvg(option, { width: CHART_WIDTH, height }),
    numbers,
  )
}

const runsSeries = (name: string, colour: string, counts: number[]) =>
  ({ type: 'bar', name, stack: 'runs', color: colour, data: counts, silent: true }) as const

export function durationsChart(skills: ReportSkill[]): string {
  const { durations: title } = CHART_TITLES
  const timed = skills.filter((skill) => skill.p50 !== null)
  if (timed.length === 0) {
    return nothingToDraw('chart-durations', 'No run has completed yet, so there are no durations.')
  }
  const percentiles = [
    { name: 'p50', colour: PALETTE.skyBlue, of: (skill: ReportSkill) => skill.p50 },
    { name: 'p95', colour: PALETTE.blue, of: (skill: ReportSkill) => skill.p95 },
    { name: 'p99', colour: PALETTE.reddishPurple, of: (skill: ReportSkill) => skill.p99 },
  ]
  const option: ChartOption = {
    title: chartTitle(title),
    legend: chartLegend(),
    grid: { top: 72, bottom: 48, left: 16, right: 24 },
    xAxis: chartAxis('seconds', { type: 'value' }),
    yAxis: categoryAxis(
      'skill',
      timed.map((skill) => skill.name),
    ),
    series: percentiles.map(({ name, colour, of }) => ({
      type: 'bar',
      name,
      color: colour,
      data: timed.map(of),
      silent: true,
    })),
  }
  const rows = timed.map(
    (skill) =>
      `<tr>${textCell(skill.name)}${percentiles.map(({ of }) => numberCell(of(skill), formatSeconds)).join('')}</tr>`,
  )
  const numbers = table(['Skill', 'p50 (s)', 'p95 (s)', 'p99 (s)'], rows)
  const height = barChartHeight(timed.length, percentiles.length)
  return figure(
    'chart-durations',
    title,
    renderChartSvg(option, { width: CHART_WIDTH, height }),
    numbers,
  )
}

export function perDayChart(days: ReportDay[]): string {
  const { perDay: title } = CHART_TITLES
  if (days.length === 0) {
    return nothingToDraw('chart-per-day', 'No run has been recorded on any day yet.')
  }
  const option: ChartOption = {
    title: chartTitle(title),
    legend: chartLegend(),
    // Days are UTC dates; a local time zone would shift every point by its offset.
    useUTC: true,
    grid: { top: 72, bottom: 56, left: 24, right: 32 },
    xAxis: chartAxis('day', {
      type: 'time',
      axisLabel: { color: PALETTE.black, formatter: '{yyyy}-{MM}-{dd}', hideOverlap: true },
    }),
    yAxis: chartAxis('invocations', { type: 'value', minInterval: 1, nameGap: 40 }),
    series: [
      daySeries('completed', PALETTE.bluishGreen, days, (day) => day.completed),
      daySeries('abandoned', PALETTE.vermillion, days, (day) => day.abandoned),
    ],
  }
  const rows = days.map(
    (day) =>
      `<tr>${textCell(day.day)}${numberCell(day.completed, formatCount)}${numberCell(day.abandoned, formatCount)}</tr>`,
  )
  const numbers =
    '<p>Days not listed had no runs and are drawn as zero.</p>' +
    table(['Day', 'Completed', 'Abandoned'], rows)
  return figure(
    'chart-per-day',
    title,
    renderChartSvg(option, { width: CHART_WIDTH, height: 360 }),
    numbers,
  )
}

/**
 * The model lists only days with runs; a line drawn straight across a gap would invent runs on
 * the days between, so each gap drops to zero and rises again from zero.
 */
function daySeries(
  name: string,
  colour: string,
  days: ReportDay[],
  countOf: (day: ReportDay) => number,
) {
  const points: Array<[number, number]> = []
  let previous: number | undefined
  for (const day of days) {
    const at = Date.parse(`${day.day}T00:00:00Z`)
    if (previous !== undefined && at - previous > DAY_MS) {
      points.push([previous + DAY_MS, 0])
      if (at - previous > 2 * DAY_MS) points.push([at - DAY_MS, 0])
    }
    points.push([at, countOf(day)])
    previous = at
  }
  return {
    type: 'line',
    name,
    color: colour,
    data: points,
    // A lone point has no line to show it.
    showSymbol: points.length === 1,
    symbol: 'circle',
    lineStyle: { width: 1.5 },
    silent: true,
  } as const
}

export interface CountsChartOptions {
  id: string
  title: string
  /** What each bar counts, for the axis ("workflow path") and the table's column ("Workflow path"). */
  axisName: string
  columnName: string
  colour: string
  counts: Array<[string, number]>
  emptySentence: string
}

export function countsChart(options: CountsChartOptions): string {
  const { id, title, counts } = options
  if (counts.length === 0) return nothingToDraw(id, options.emptySentence)
  const option: ChartOption = {
    title: chartTitle(title),
    grid: { top: 48, bottom: 48, left: 16, right: 24 },
    xAxis: chartAxis('invocations', { type: 'value', minInterval: 1 }),
    yAxis: categoryAxis(
      options.axisName,
      counts.map(([label]) => label),
    ),
    series: [
      {
        type: 'bar',
        name: 'invocations',
        color: options.colour,
        data: counts.map(([, count]) => count),
        silent: true,
      },
    ],
  }
  const rows = counts.map(
    ([label, count]) => `<tr>${textCell(label)}${numberCell(count, formatCount)}</tr>`,
  )
  const numbers = table([options.columnName, 'Invocations'], rows)
  // No legend for a single series, so less room above the bars.
  const height = barChartHeight(counts.length, 1) - 24
  return figure(id, title, renderChartSvg(option, { width: CHART_WIDTH, height }), numbers)
}
