import type { MigrationStatus } from '@skill-metrics/migration'
import { describeMismatch, nextCommand } from '@skill-metrics/migration'

const count = (value: number | null, what: string) =>
  value === null ? '' : `${value.toLocaleString('en')} ${what}`
const size = (bytes: number | null) =>
  bytes === null
    ? ''
    : bytes < 1_000_000
      ? `${(bytes / 1000).toFixed(1)} kB`
      : `${(bytes / 1_000_000).toFixed(1)} MB`

export function statusText(status: MigrationStatus): string {
  const { legacy, database, unfinishedTransition: unfinished } = status
  const legacyLine = !legacy.valid
    ? `INVALID: ${legacy.problem}`
    : legacy.exists
      ? [
          count(legacy.invocations, 'invocations'),
          count(legacy.skills, 'skills'),
          size(legacy.bytes),
          'valid',
        ].join(' · ')
      : legacy.archive !== null
        ? `archived by cleanup to ${legacy.archive}`
        : 'no file yet (an empty tracker)'
  const databaseLine = !database.reachable
    ? `unreachable: ${database.problem}`
    : database.schemaCurrent === 0
      ? `schema not created (V0 of V${database.schemaLatest})`
      : [
          `schema V${database.schemaCurrent} of V${database.schemaLatest}${database.pendingVersions.length > 0 ? ` (${database.pendingVersions.length} pending)` : ''}`,
          count(database.invocations, 'invocations'),
          count(database.skills, 'skills'),
        ]
          .filter(Boolean)
          .join(' · ')
  const lastForeign = legacy.foreignWrites.at(-1)
  const foreign =
    lastForeign === undefined
      ? 'none recorded'
      : `${legacy.foreignWrites.length} recorded, the last at ${lastForeign.modified_at ?? lastForeign.detected_at}: move every tool to skill-metrics' tracker`
  const repairs = status.foreignRepairs
  const repaired =
    repairs.restored + repairs.imported === 0
      ? []
      : [
          `Foreign repairs  ${repairs.restored} invocation(s) restored into the file, ${repairs.imported} imported into the database`,
          ...repairs.last.map(
            (repair) =>
              `  ${repair.at}  ${repair.kind.padEnd(8)}  ${repair.id}  ${repair.skill_name}  ${repair.invoked_at}`,
          ),
        ]
  const validation =
    status.lastValidation === null
      ? 'none yet'
      : `${status.lastValidation.clean ? 'clean' : 'DIFFERENCES'} (${status.lastValidation.kind}, ${status.lastValidation.at})`
  const mismatches = status.dualReadMismatches
  const dualRead =
    mismatches.total === 0
      ? 'no mismatch recorded'
      : `${mismatches.unresolved} unresolved mismatch(es), ${mismatches.errors} database error(s) since the last clean validation (${mismatches.total} recorded)`
  const lines = [
    `Phase            ${status.phase} (epoch ${status.epoch})${status.phaseSource === 'copy' ? ' — from the copy beside the file' : ''}${unfinished === null ? '' : ` — the move to ${unfinished.to} did not finish${unfinished.command === null ? '' : ` (${unfinished.command})`}`}`,
    `Legacy file      ${legacy.file}  ${legacyLine}`,
    `Database         ${database.url}  ${databaseLine}`,
    ...(database.pendingOptional === null
      ? []
      : [
          `Optional schema  ${database.pendingOptional.versions.map(({ version, description }) => `V${version} ${description}`).join(', ')} pending, not needed to open the store; run: ${database.pendingOptional.command}`,
        ]),
    ...(database.legacyFile === null || database.legacyFile === legacy.file
      ? []
      : [`Serves           ${database.legacyFile}: ANOTHER legacy file`]),
    `Foreign writes   ${foreign}`,
    ...(legacy.afterCutover === null || legacy.afterCutover.ok
      ? []
      : [`After cutover    CHANGED: ${legacy.afterCutover.detail}`]),
    ...repaired,
    `Last validation  ${validation}`,
    `Dual-write misses ${status.dualWriteMisses === 0 ? 'none' : `${status.dualWriteMisses} database writes to repair`}`,
    `Journal          ${journalLine(status.journal)}`,
    `Dual-read        ${dualRead}`,
    ...mismatches.last.map(
      (entry) => `  ${entry.at}  ${entry.kind.padEnd(8)}  ${describeMismatch(entry)}`,
    ),
  ]
  for (const record of status.history.slice(0, 5)) {
    lines.push(
      `  ${record.at}  ${record.from_phase} → ${record.to_phase}  ${record.result}${record.forced ? ` (forced: ${record.reason})` : ''}  ${record.actor}`,
    )
  }
  const next = nextCommand(status)
  if (next !== null) lines.push(`Next             ${next}`)
  return lines.join('\n')
}

function journalLine({ waiting, rejected, file }: MigrationStatus['journal']): string {
  const pending = waiting === 0 ? 'empty' : `${waiting} change(s) waiting for the next writer`
  return rejected === 0
    ? pending
    : `${pending}; ${rejected} unreadable line(s) kept in ${file}-rejected`
}
