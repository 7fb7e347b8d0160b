import type { ReportMigration } from '@skill-metrics/core'
import { escapeHtml, formatCount, table, textCell } from './html.js'

export function migrationPanel(migration: ReportMigration | null): string {
  const heading = '<h2>Migration</h2>'
  if (migration === null) {
    return `<section id="migration">${heading}<p>No migration was started.</p></section>`
  }
  return [
    `<section id="migration">${heading}`,
    `<p>Phase <strong data-field="phase">${escapeHtml(migration.phase)}</strong>, epoch <span data-field="epoch">${migration.epoch}</span>.</p>`,
    '<h3>Phase history</h3>',
    phaseTimeline(migration.history),
    '<h3>Last validations</h3>',
    validations(migration.validations),
    '<h3>Dual writes and dual reads</h3>',
    '<dl class="counts">',
    `<dt>Dual-write misses</dt><dd data-field="dual_write_misses">${formatCount(migration.dualWriteMisses)}</dd>`,
    `<dt>Dual-read mismatches</dt><dd data-field="dual_read_mismatches">${formatCount(migration.dualReadMismatches)}</dd>`,
    '</dl>',
    '<h3>Foreign writes to the legacy file</h3>',
    foreignWrites(migration.foreignWrites),
    '<h3>Backups of the legacy file</h3>',
    backups(migration.backups),
    '<h3>Archive</h3>',
    migration.archive === null
      ? '<p>No archive yet.</p>'
      : `<p><code data-field="archive">${escapeHtml(migration.archive)}</code></p>`,
    '</section>',
  ].join('')
}

function phaseTimeline(history: ReportMigration['history']): string {
  if (history.length === 0) return '<p>No phase change recorded.</p>'
  const entries = history.map((change) => {
    const who = change.actor === null ? 'an unnamed actor' : change.actor
    const forced = change.forced ? ' <strong class="forced">forced</strong>' : ''
    const why = change.reason === null ? '' : ` (${escapeHtml(change.reason)})`
    return (
      `<li data-forced="${change.forced}"><time datetime="${escapeHtml(change.at)}">${escapeHtml(change.at)}</time> ` +
      `${escapeHtml(change.from)} → ${escapeHtml(change.to)} by ${escapeHtml(who)}${forced}${why}</li>`
    )
  })
  return `<ol class="timeline">${entries.join('')}</ol>`
}

function validations(records: ReportMigration['validations']): string {
  if (records.length === 0) return '<p>No validation yet.</p>'
  const rows = records.map(
    (record) =>
      `<tr>${textCell(record.at)}${textCell(record.kind)}` +
      `<td data-clean="${record.clean}">${record.clean ? 'clean' : 'differences found'}</td>` +
      `${textCell(record.summary)}</tr>`,
  )
  return table(['When', 'Kind', 'Result', 'Summary'], rows, ' id="validations"')
}

function foreignWrites(writes: ReportMigration['foreignWrites']): string {
  if (writes.length === 0) return '<p>None detected.</p>'
  const rows = writes.map(
    (write) => `<tr>${textCell(write.detectedAt)}${textCell(write.modifiedAt ?? 'unknown')}</tr>`,
  )
  return table(['Detected at', 'File modified at'], rows, ' id="foreign-writes"')
}

function backups(paths: string[]): string {
  if (paths.length === 0) return '<p>No backup.</p>'
  const items = paths.map((path) => `<li><code>${escapeHtml(path)}</code></li>`)
  return `<ul id="backups">${items.join('')}</ul>`
}
