import type { GuardCheck } from '@skill-metrics/migration'

/** One line per check, failed and warned ones marked so they stand out in a column of `ok`. */
export function checkLines(checks: readonly GuardCheck[]): string {
  return checks.map((check) => `${markOf(check)} ${check.name}: ${check.detail}`).join('\n')
}

function markOf(check: GuardCheck): string {
  if (!check.ok) return 'FAIL'
  return check.level === 'warn' ? 'WARN' : 'ok  '
}
