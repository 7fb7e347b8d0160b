/** What the CLI needs from the layers below, so that it depends on this package and core only. */
export {
  asDatabaseFailure,
  type DatabaseTarget,
  DEFAULT_DATABASE_URL,
  type PhaseState,
  PhaseStore,
  parseDatabaseUrl,
  SchemaRunner,
  type SchemaStatus,
  type StepResult,
  type TransitionRecord,
  type ValidationRecord,
  type VersionStatus,
} from '@skill-metrics/db-store'
export { modeForFilesBeside } from '@skill-metrics/durable-file'
export { generateLegacyFile } from '@skill-metrics/json-tracker'
export { currentActor } from './actor.js'
export { backupLegacyFile, type LegacyBackup } from './backup.js'
export {
  type CleanupOptions,
  type CleanupOutcome,
  cleanup,
  DEFAULT_RETENTION_DAYS,
  type LegacyArchive,
} from './cleanup.js'
export {
  type CutoverOptions,
  type CutoverResult,
  type CutoverStep,
  cutover,
  DEFAULT_FREEZE_TIMEOUT_MS,
} from './cutover.js'
export {
  type DataMigrationRun,
  DEFAULT_BATCH_SIZE,
  JSON_TRUTH_PHASES,
  type MigrateOptions,
  type MigrateProgress,
  type MigrateResult,
  migrateData,
  type RejectedRecord,
  runDataMigration,
} from './data-migrator.js'
export {
  differenceCount,
  type FieldDiff,
  type RunValidationOptions,
  recordValidation,
  runValidation,
  type ValidateOptions,
  type ValidationReport,
  type ValidationRun,
  validateData,
} from './data-validator.js'
export {
  type DualRead,
  type DualReadMismatch,
  describeMismatch,
  mismatchLogPathOf,
  readMismatches,
  recordMismatch,
  unresolvedMismatches,
} from './dual-read-mismatches.js'
export { DualReadTracker } from './dual-read-tracker.js'
export { type DualWriteMiss, missLogPathOf, readMisses, recordMiss } from './dual-write-misses.js'
export { DUAL_WRITE_TIMEOUT_MS, DualWriteTracker, type StoreOpener } from './dual-write-tracker.js'
export {
  dualReadGuard,
  dualWriteGuard,
  lastValidationClean,
  legacyFileValid,
  migratedGuard,
  noForeignWriter,
  noMissSinceLastValidation,
  noUnrepairedMisses,
  noUnresolvedMismatches,
} from './guards.js'
export {
  checkHealth,
  type HealthOptions,
  type HealthReport,
  healthFailure,
} from './health.js'
export {
  type OpenTrackerOptions,
  openTracker,
  recordInvocation,
  withReadTracker,
} from './open-tracker.js'
export {
  type PhaseCopy,
  phaseCopyPathOf,
  type ReadSource,
  readPhaseCopy,
  readSourceOf,
  writePhaseCopy,
} from './phase-copy.js'
export {
  DB_TRUTH_PHASES,
  ROLLBACK_TARGETS,
  type RollbackOptions,
  type RollbackResult,
  type RollbackTarget,
  rollback,
} from './rollback.js'
export { type MigrationStatus, migrationStatus, nextCommand } from './status.js'
export {
  type Guard,
  type GuardCheck,
  type GuardContext,
  settledPhaseCopy,
  type TransitionOutcome,
  type TransitionRequest,
  transition,
} from './transition.js'
