import type { ReportModel } from '@skill-metrics/core'
import { escapeHtml, formatCount } from './html.js'
import { migrationPanel } from './migration-panel.js'
import { PAGE_STYLE } from './page-style.js'
import { PALETTE } from './palette.js'
import {
  CHART_TITLES,
  countsChart,
  durationsChart,
  invocationsChart,
  perDayChart,
} from './report-charts.js'
import { skillsTable } from './skills-table.js'

const SOURCE_NAMES: Record<ReportModel['source'], string> = {
  json: 'the legacy JSON file',
  db: 'the database',
}

/** One self-contained page: inline styles, inline SVG charts, no script and no URL. */
export function renderHtmlReport(model: ReportModel): string {
  const title = `Skill metrics: ${model.title}`
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${PAGE_STYLE}</style>`,
    '</head><body>',
    `<header><h1>${escapeHtml(title)}</h1>`,
    `<p class="meta">From ${SOURCE_NAMES[model.source]}, generated <time datetime="${escapeHtml(model.generatedAt)}">${escapeHtml(model.generatedAt)}</time>.</p>`,
    totals(model.totals),
    '</header><main>',
    model.skills.length === 0 ? nothingYet() : usage(model),
    migrationPanel(model.migration),
    '</main></body></html>',
    '',
  ].join('\n')
}

function totals({ invocations, completed, abandoned, skills }: ReportModel['totals']): string {
  return (
    '<dl class="counts" id="totals">' +
    `<dt>Skills</dt><dd data-field="skills">${formatCount(skills)}</dd>` +
    `<dt>Invocations</dt><dd data-field="invocations">${formatCount(invocations)}</dd>` +
    `<dt>Completed</dt><dd data-field="completed">${formatCount(completed)}</dd>` +
    `<dt>Abandoned</dt><dd data-field="abandoned">${formatCount(abandoned)}</dd>` +
    '</dl>'
  )
}

const nothingYet = () =>
  '<section id="usage"><h2>Skills</h2><p class="nothing">Nothing to report yet: no skill has been invoked.</p></section>'

function usage(model: ReportModel): string {
  const charts = [
    invocationsChart(model.skills),
    durationsChart(model.skills),
    perDayChart(model.perDay),
    countsChart({
      id: 'chart-workflow-paths',
      title: CHART_TITLES.workflowPaths,
      axisName: 'workflow path',
      columnName: 'Workflow path',
      colour: PALETTE.orange,
      counts: model.workflowPaths,
      emptySentence: 'No run recorded a workflow path yet.',
    }),
    countsChart({
      id: 'chart-follow-up-actions',
      title: CHART_TITLES.followUpActions,
      axisName: 'follow-up action',
      columnName: 'Follow-up action',
      colour: PALETTE.blue,
      counts: model.followUpActions,
      emptySentence: 'No run recorded a follow-up action yet.',
    }),
  ]
  return [
    // The charts first: what a reader looks at; the table holds every number they plot.
    '<section id="charts"><h2>Charts</h2>',
    ...charts,
    '</section><section id="usage"><h2>Skills</h2>',
    `<div class="table-scroll">${skillsTable(model.skills)}</div>`,
    '</section>',
  ].join('\n')
}
