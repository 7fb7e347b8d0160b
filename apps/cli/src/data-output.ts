import type {
  MigrateProgress,
  MigrateResult,
  ValidateProgress,
  ValidationRun,
} from '@skill-metrics/migration'
import { importedLines, restoredLines } from './foreign-output.js'

/** The progress bar's stage while `data migrate` runs. */
export function migrateStage(pass: MigrateProgress['pass']): string {
  return pass === 'final' ? "final pass, under the writers' lock" : 'bulk pass'
}

export function migrateText(result: MigrateResult, jsonFile: string): string {
  const counts = `${result.dryRun ? 'Would write: ' : ''}Read ${result.read.toLocaleString('en')} · inserted ${result.inserted.toLocaleString('en')} · updated ${result.updated.toLocaleString('en')} · unchanged ${result.unchanged.toLocaleString('en')} · rejected ${result.rejected.length}`
  const batches = ` · ${result.skillsAligned} skills aligned · ${result.skippedBatches} of ${result.batches} batches already in sync`
  // After cutover nothing is synced: only what another writer added is imported.
  const importing = result.batches === 0 && result.skillsAligned === 0
  return [
    `${counts}${importing ? '' : batches} (${result.seconds.toFixed(1)} s)`,
    ...restoredLines(result.restored, result.dryRun),
    ...importedLines(result.imported, jsonFile, result.dryRun),
  ].join('\n')
}

const percent = (done: number, total: number) => `${Math.floor((100 * done) / Math.max(total, 1))}%`

/** What an interrupted `data migrate` had done, for the line it ends with. */
export function migrateStopped(last: MigrateProgress | undefined): string {
  const read =
    last === undefined
      ? 'no record was read yet'
      : `${last.read.toLocaleString('en')} records read in the ${migrateStage(last.pass)} (${percent(last.bytesRead, last.totalBytes)} of the file)`
  return `${read}; every batch committed before the signal is kept, the one in flight was not committed, and a rerun skips the batches already in sync`
}

/** What an interrupted `data validate` had done: a validation is recorded only once it ends. */
export function validateStopped(last: ValidateProgress | undefined): string {
  if (last === undefined) return 'no record was compared yet; nothing was recorded'
  const compared = `${last.compared.toLocaleString('en')} invocations compared (${percent(last.bytesRead, last.totalBytes)} of the file)`
  return last.bytesRead < last.totalBytes
    ? `${compared}; no validation was recorded and the phase did not move`
    : `${compared}: the comparison had ended, so its validation may be recorded (and the phase moved); skill-metrics status says`
}

export function displacedWarning(displaced: number): string {
  return `${displaced} stored record(s) held positions the file now gives to others (a writer that is not skill-metrics dropped or moved records?); they are kept without a position, and skill-metrics data validate lists those the file no longer has as extra.`
}

/** `data validate --json`: the report, and the phase a clean (or accepted) run moved to. */
export function validationJson({ report, advanced, dryRun }: ValidationRun) {
  return { ...report, advancedTo: advanced?.to ?? null, dryRun }
}

export function validationText({ report, advanced, dryRun }: ValidationRun): string {
  const { skills, invocations } = report
  const lines = [
    `Skills        ${skills.compared} compared · ${skills.missing.length} missing · ${skills.extra.length} extra · ${skills.mismatched.length} mismatched`,
    `Invocations   ${invocations.compared.toLocaleString('en')} compared · ${invocations.missing.length} missing · ${invocations.extra.length} extra · ${invocations.mismatched.length} mismatched · ${invocations.inFlight} in flight (settled)`,
  ]
  if (report.rejected.length > 0)
    lines.push(`Rejected      ${report.rejected.length} records the legacy schema refuses`)
  if (report.restored.length > 0)
    lines.push(
      `Restored      ${report.restored.length} invocation(s) put back into the file by data migrate since the last validation (removed by another writer): ${report.restored
        .slice(0, 3)
        .map((repair) => repair.id)
        .join(', ')}${report.restored.length > 3 ? ', …' : ''}`,
    )
  for (const mismatch of [
    ...skills.mismatched.slice(0, 5),
    ...invocations.mismatched.slice(0, 5),
  ]) {
    const name =
      'name' in mismatch
        ? `skill ${JSON.stringify(mismatch.name)}`
        : `invocations[${mismatch.index}] ${mismatch.id}`
    lines.push(
      `  ${name}: ${mismatch.diffs.map((diff) => `${diff.field} file ${JSON.stringify(diff.json)} ≠ db ${JSON.stringify(diff.db)}`).join('; ')}`,
    )
  }
  if (report.clean)
    lines.push(
      `Clean.${advanced === null ? '' : ` Phase is now ${advanced.to} (epoch ${advanced.epoch}).`}`,
    )
  else if (advanced !== null)
    lines.push(
      `Differences accepted with --force: phase is now ${advanced.to} (epoch ${advanced.epoch}); the reason is in the history.`,
    )
  if (dryRun) lines.push('Dry run: no validation recorded, no phase moved.')
  return lines.join('\n')
}
