import type { RecordedInvocation } from '@skill-metrics/migration/start'

export interface Tracked extends RecordedInvocation {
  skill_name: string
  invoked_at: string
  duration_seconds: number
  completed: boolean
}

/** What was recorded and in which store: the file, the database, or both. */
export function trackText(tracked: Tracked): string {
  const stores = [tracked.file, tracked.database && `the database ${tracked.database}`]
    .filter((store) => store !== null)
    .join(' and ')
  return `${tracked.completed ? 'Completed' : 'Abandoned'} ${tracked.skill_name} (invoked at ${tracked.invoked_at}, ${tracked.duration_seconds} s) in ${stores}`
}

/** One line: the legacy file has the write, and `data migrate` brings it to the database. */
export function missedWarning(why: string): string {
  return `Warning: the database missed this write; \`skill-metrics data migrate\` repairs it (${why.replaceAll('\n', ' ')})`
}
