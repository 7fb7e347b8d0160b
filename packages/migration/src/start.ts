/**
 * What every command needs to start, and what `track` runs, without the rest of this package:
 * the index loads every operation (backfill, cutover, rollback, …) and the database store, which
 * a command that never opens a database does not need. A CLI invoked once per skill invocation
 * pays for each module it loads every time.
 */
export { asDatabaseFailure } from '@skill-metrics/db-store/database-errors'
export {
  type DatabaseTarget,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_DATABASE_URL,
  requireLastingDatabase,
} from '@skill-metrics/db-store/database-url'
export { modeForFilesBeside } from '@skill-metrics/durable-file'
export {
  DEFAULT_FREEZE_TIMEOUT_MS,
  DEFAULT_RETENTION_DAYS,
  ROLLBACK_TARGETS,
  type RollbackTarget,
} from './operations/defaults.js'
export { databaseOfLegacyFile, missingLegacyFileWarning } from './phases/legacy-binding.js'
export {
  type AppliedJournal,
  applyJournal,
  JournalApplier,
  type RecordedInvocation,
  recordInvocation,
} from './trackers/open-tracker.js'
