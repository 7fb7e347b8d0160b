import type { ForeignRepair } from '@skill-metrics/migration'

const SHOWN = 5

const describe = (repair: ForeignRepair) =>
  `  ${repair.id}  ${repair.skill_name}  ${repair.invoked_at}  ${repair.workflow_path ?? '(no path)'}${repair.completed ? '' : '  abandoned or pending'}${repair.previous_id === null ? '' : `  (id was ${repair.previous_id}: its place in the file derives another)`}`

const listed = (repairs: readonly ForeignRepair[]) => [
  ...repairs.slice(0, SHOWN).map(describe),
  ...(repairs.length > SHOWN
    ? [`  … and ${repairs.length - SHOWN} more (--json lists them all)`]
    : []),
]

const MOVE_IT = "stop that writer or move it to skill-metrics' tracker (README: foreign writers)"

/** What `data migrate` put back into the legacy file, and what it means: a foreign writer at work. */
export function restoredLines(restored: readonly ForeignRepair[], dryRun: boolean): string[] {
  if (restored.length === 0) return []
  return [
    `${dryRun ? 'Would restore' : 'Restored'} ${restored.length} invocation(s) removed by another writer (the database held them, the legacy file no longer did):`,
    ...listed(restored),
    `A writer that is not skill-metrics saved the file over them. While it keeps saving, every data migrate puts back what it erased: ${MOVE_IT}.`,
  ]
}

/** What `data migrate` or `rollback` took into the database from the legacy file after cutover. */
export function importedLines(
  imported: readonly ForeignRepair[],
  jsonFile: string,
  dryRun: boolean,
): string[] {
  if (imported.length === 0) return []
  return [
    `${dryRun ? 'Would import' : 'Imported'} ${imported.length} invocation(s) another writer added to ${jsonFile} after cutover into the database (the source of truth):`,
    ...listed(imported),
    `While that writer keeps saving the file, health fails until the next data migrate: ${MOVE_IT}.`,
  ]
}
