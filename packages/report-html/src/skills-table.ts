import type { ReportSkill } from '@skill-metrics/core'
import { escapeHtml, formatCount, formatPercent, formatSeconds, numberCell, table } from './html.js'

/**
 * The table's number columns. Every number cell, and only those, is named as
 * `skill-metrics metrics --json` names the field, so that a check can compare the page with the
 * command field by field.
 */
const NUMBER_COLUMNS = [
  ['total_invocations', 'Invocations', (skill) => skill.invocations, formatCount],
  ['completed_invocations', 'Completed', (skill) => skill.completed, formatCount],
  ['abandoned_invocations', 'Abandoned', (skill) => skill.abandoned, formatCount],
  ['completion_rate', 'Completion rate (%)', (skill) => skill.completionRate, formatPercent],
  ['p50_duration_seconds', 'p50 (s)', (skill) => skill.p50, formatSeconds],
  ['p95_duration_seconds', 'p95 (s)', (skill) => skill.p95, formatSeconds],
  ['p99_duration_seconds', 'p99 (s)', (skill) => skill.p99, formatSeconds],
] as const satisfies ReadonlyArray<
  readonly [string, string, (skill: ReportSkill) => number | null, (value: number) => string]
>

/** The fields of the per-skill table (`<td data-field>`), in its column order. */
export const SKILL_TABLE_FIELDS = NUMBER_COLUMNS.map(([field]) => field)

export function skillsTable(skills: ReportSkill[]): string {
  const rows = skills.map((skill) => {
    const cells = [
      `<th scope="row">${escapeHtml(skill.name)}</th>`,
      ...NUMBER_COLUMNS.map(([field, , value, format]) => numberCell(value(skill), format, field)),
      `<td class="errors">${escapeHtml(errorsText(skill.errors))}</td>`,
    ]
    return `<tr data-skill="${escapeHtml(skill.name)}">${cells.join('')}</tr>`
  })
  return table(
    ['Skill', ...NUMBER_COLUMNS.map(([, heading]) => heading), "Abandoned runs' error types"],
    rows,
    ' id="skills"',
  )
}

const errorsText = (errors: Array<[string, number]>) =>
  errors.map(([type, count]) => `${type} (${formatCount(count)})`).join(', ')
