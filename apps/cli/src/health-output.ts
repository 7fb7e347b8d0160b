import type { GuardCheck } from '@skill-metrics/migration'

/** One line per check, failed and warned ones marked so they stand out in a column of `ok`. */
export function checkLines(checks: readonly GuardCheck[]): string {
  return checks.map((check) => `${markOf(check)} ${check.name}: ${check.detail}`).join('\n')
}

function markOf(check: GuardCheck): string {
  if (!check.ok) return 'FAIL'
  return check.level === 'warn' ? 'WARN' : 'ok  '
}

/** `health` when no check failed: every check, then the verdict with the warnings counted. */
export function healthyText(checks: readonly GuardCheck[]): string {
  const warned = checks.filter((check) => check.level === 'warn').length
  return `${checkLines(checks)}\n${warned === 0 ? 'Healthy.' : `Healthy, with ${warned} warning${warned === 1 ? '' : 's'}.`}`
}
