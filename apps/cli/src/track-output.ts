import type { AppliedJournal, RecordedInvocation } from '@skill-metrics/migration/start'

export interface Tracked extends RecordedInvocation {
  skill_name: string
  invoked_at: string
  duration_seconds: number
  completed: boolean
}

/** The file, the database, or both. */
function storesOf({ file, database }: Pick<RecordedInvocation, 'file' | 'database'>): string {
  return [file, database && `the database ${database}`]
    .filter((store) => store !== null)
    .join(' and ')
}

/** What was recorded and in which store: the file, the database, or both. */
export function trackText(tracked: Tracked): string {
  const stores = storesOf(tracked)
  return `${tracked.completed ? 'Completed' : 'Abandoned'} ${tracked.skill_name} (invoked at ${tracked.invoked_at}, ${tracked.duration_seconds} s) in ${stores}`
}

/** One line: the legacy file has the write, and `data migrate` brings it to the database. */
export function missedWarning(why: string): string {
  return `Warning: the database missed this write; \`skill-metrics data migrate\` repairs it (${why.replaceAll('\n', ' ')})`
}

/** What `journal apply` did, in one line. */
export function journalApplyText(done: AppliedJournal): string {
  if (done.entry !== null) {
    return `Entry ${done.entry.entry} is invocation ${done.entry.id} in ${storesOf(done)} (${done.phase})`
  }
  if (done.applied.length === 0) return 'Nothing waited in the journal.'
  return `Applied ${done.applied.length} journaled change(s) in ${storesOf(done)} (${done.phase})`
}
