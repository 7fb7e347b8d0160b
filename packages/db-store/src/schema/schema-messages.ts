import { RefusedError } from '@skill-metrics/core'
import type { HistoryRow } from './bookkeeping.js'
import type { MigrationSource } from './migration-file.js'
import type { PlannedStep, VersionStatus } from './schema-status.js'

export function migrationFailed(
  source: MigrationSource,
  step: PlannedStep,
  statement: number | null,
  error: unknown,
  transactional: boolean,
): RefusedError {
  const where =
    statement === null
      ? 'after its last statement'
      : `at statement ${statement} of ${step.statements.length} (${JSON.stringify(step.statements[statement - 1]!.split('\n')[0])})`
  const outcome = transactional
    ? 'The schema is as it was before; the failure is recorded.'
    : `The file is marked no-transaction: statements 1..${(statement ?? 1) - 1} stayed applied. Undo or finish them by hand.`
  return new RefusedError(
    `${source.scriptName} failed ${where}: ${(error as Error).message}. ${outcome}`,
    {
      cause: error,
      nextStep: `Fix ${source.path}, then run: skill-metrics schema repair && skill-metrics schema migrate`,
    },
  )
}

export function failedRefusal(failed: Pick<VersionStatus, 'script'> | HistoryRow): RefusedError {
  return new RefusedError(
    `${failed.script} failed on an earlier run and blocks further migrations`,
    {
      nextStep:
        'Fix the file (see: skill-metrics schema status), then run: skill-metrics schema repair',
    },
  )
}

export const short = (checksum: string | null) =>
  checksum === null ? 'none' : checksum.slice(0, 12)

export function describeProblem(version: VersionStatus): string {
  switch (version.state) {
    case 'checksum-mismatch':
      return `  ${version.script} changed after it was applied: ${version
        .drift!.map(
          (drift) =>
            `${drift.part} part applied sha256 ${drift.applied ?? 'none'}, on disk sha256 ${drift.onDisk ?? 'none'}`,
        )
        .join('; ')}`
    case 'missing-file':
      return `  ${version.script} (V${version.version}) is applied but its file is missing`
    case 'out-of-order':
      return `  ${version.script} is pending but older than the applied version`
    case 'failed':
      return `  ${version.script} failed at statement ${version.failure?.statement ?? '?'}: ${version.failure?.error ?? ''}`
    default:
      return `  ${version.script}: ${version.state}`
  }
}

export function nextStepFor(version: VersionStatus): string {
  switch (version.state) {
    case 'checksum-mismatch':
      return `Restore the file, or record the edit with: skill-metrics schema repair --realign ${version.version}`
    case 'missing-file':
      return `Restore ${version.script} into the migrations folder.`
    case 'out-of-order':
      return `Give the file a version above the applied ones (never edit or insert below applied versions).`
    default:
      return 'Fix the file, then run: skill-metrics schema repair'
  }
}
