import type { GuardCheck } from '@skill-metrics/migration'
import ansis from 'ansis'

/** One line per check, failed and warned ones marked so they stand out in a column of `ok`. */
export function checkLines(checks: readonly GuardCheck[]): string {
  return checks.map((check) => `${markOf(check)} ${check.name}: ${check.detail}`).join('\n')
}

// Coloured on a terminal, as ansis decides: NO_COLOR turns it off, FORCE_COLOR (or CI, whose logs
// show colour) on without one.
function markOf(check: GuardCheck): string {
  if (!check.ok) return ansis.red.bold('FAIL')
  return check.level === 'warn' ? ansis.yellow('WARN') : `${ansis.green('ok')}  `
}

/** `health` when no check failed: every check, then the verdict with the warnings counted. */
export function healthyText(checks: readonly GuardCheck[]): string {
  const warned = checks.filter((check) => check.level === 'warn').length
  return `${checkLines(checks)}\n${warned === 0 ? 'Healthy.' : `Healthy, with ${warned} warning${warned === 1 ? '' : 's'}.`}`
}
