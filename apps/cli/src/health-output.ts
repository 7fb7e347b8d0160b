import type { GuardCheck } from '@skill-metrics/migration'

/** One line per check, failed ones marked so they stand out in a column of `ok`. */
export function checkLines(checks: readonly GuardCheck[]): string {
  return checks
    .map((check) => `${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`)
    .join('\n')
}
