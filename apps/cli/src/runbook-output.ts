/** One step of the migration, as README's runbook table gives it. */
export interface RunbookStep {
  step: number
  command: string
  does: string
  back: string
}

/** The migration in the order it is run; `skill-metrics status` names the next one. */
export const RUNBOOK: readonly RunbookStep[] = [
  {
    step: 0,
    command: 'schema migrate',
    does: 'create or update the tables (schema status lists the versions)',
    back: 'schema rollback --to V',
  },
  {
    step: 1,
    command: 'phase dual-write',
    does: 'writers write the legacy file, then the database',
    back: 'rollback --to json-only',
  },
  {
    step: 2,
    command: 'data migrate',
    does: 'copy the legacy file into the database while writers go on',
    back: 'rerun it: it is idempotent',
  },
  {
    step: 3,
    command: 'data validate',
    does: 'compare every record; a clean run moves to migrated',
    back: 'data migrate repairs, then validate again',
  },
  {
    step: 4,
    command: 'phase dual-read',
    does: 'reads compare both stores; the legacy file still answers',
    back: 'rollback (only moves the phase)',
  },
  {
    step: 5,
    command: 'cutover',
    does: 'the database becomes the source of truth, no process stopped',
    back: 'rollback (regenerates the file)',
  },
  {
    step: 6,
    command: 'cleanup',
    does: 'after the retention period, archive and remove the legacy file',
    back: 'rollback (regenerates the file)',
  },
]

export async function runbookText(bin: string): Promise<string> {
  // Loaded on use: the table renderer (ink, react) is the heaviest import of the CLI.
  const { makeTable } = await import('@oclif/table')
  const table = makeTable({
    data: RUNBOOK.map((step) => ({ ...step, command: `${bin} ${step.command}` })),
    columns: [
      { key: 'step', name: '#' },
      { key: 'command', name: 'Command' },
      { key: 'does', name: 'What it does' },
      { key: 'back', name: 'How to go back' },
    ],
    borderStyle: 'headers-only-with-underline',
    overflow: 'wrap',
  })
  return [
    `Before step 0, move every writer of the legacy file to ${bin} track or openTracker().`,
    table,
    `At any step: ${bin} status (where you are, the next command), ${bin} health (alert on it).`,
  ].join('\n')
}
