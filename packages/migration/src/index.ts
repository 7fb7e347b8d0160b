/** What the CLI needs from the layers below, so that it depends on this package and core only. */
export {
  asDatabaseFailure,
  type DatabaseTarget,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_DATABASE_URL,
  type PhaseState,
  PhaseStore,
  parseDatabaseUrl,
  requireLastingDatabase,
  SchemaRunner,
  type SchemaStatus,
  type StepResult,
  type TransitionRecord,
  type ValidationRecord,
  type VersionStatus,
} from '@skill-metrics/db-store'
export { modeForFilesBeside } from '@skill-metrics/durable-file'
export { generateLegacyFile } from '@skill-metrics/json-tracker'
export {
  type DataMigrationRun,
  DB_TRUTH_PHASES,
  DEFAULT_BATCH_SIZE,
  JSON_TRUTH_PHASES,
  type MigrateOptions,
  type MigrateProgress,
  type MigrateResult,
  migrateData,
  type RejectedRecord,
  runDataMigration,
} from './backfill/data-migrator.js'
export {
  differenceCount,
  type FieldDiff,
  type RunValidationOptions,
  recordValidation,
  runValidation,
  type ValidateOptions,
  type ValidateProgress,
  type ValidationReport,
  type ValidationRun,
  validateData,
} from './backfill/data-validator.js'
export {
  type ForeignRepair,
  foreignRepairLogPathOf,
  readForeignRepairs,
} from './backfill/foreign-repairs.js'
export { backupLegacyFile, type LegacyBackup } from './operations/backup.js'
export {
  type CleanupOptions,
  type CleanupOutcome,
  cleanup,
  DEFAULT_RETENTION_DAYS,
  type LegacyArchive,
  legacyArchiveOf,
} from './operations/cleanup.js'
export {
  type CutoverOptions,
  type CutoverResult,
  type CutoverStep,
  cutover,
  DEFAULT_FREEZE_TIMEOUT_MS,
} from './operations/cutover.js'
export {
  checkHealth,
  type HealthOptions,
  type HealthReport,
  healthFailure,
} from './operations/health.js'
export {
  ROLLBACK_TARGETS,
  type RollbackOptions,
  type RollbackResult,
  type RollbackTarget,
  rollback,
} from './operations/rollback.js'
export {
  rollbackSchema,
  type SchemaRollbackOptions,
  type SchemaRollbackResult,
} from './operations/schema-rollback.js'
export { type MigrationStatus, migrationStatus, nextCommand } from './operations/status.js'
export { currentActor } from './phases/actor.js'
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
} from './phases/guards.js'
export { databaseOfLegacyFile, missingLegacyFileWarning } from './phases/legacy-binding.js'
export {
  type PhaseCopy,
  phaseCopyPathOf,
  type ReadSource,
  readPhaseCopy,
  readSourceOf,
  writePhaseCopy,
} from './phases/phase-copy.js'
export {
  type Guard,
  type GuardCheck,
  type GuardContext,
  legacyFileServed,
  type OperatorOptions,
  settledPhaseCopy,
  type TransitionOutcome,
  type TransitionRequest,
  transition,
} from './phases/transition.js'
export {
  type DualRead,
  type DualReadMismatch,
  describeMismatch,
  mismatchLogPathOf,
  readMismatches,
  recordMismatch,
  unresolvedMismatches,
} from './trackers/dual-read-mismatches.js'
export { DualReadTracker } from './trackers/dual-read-tracker.js'
export {
  type DualWriteMiss,
  missLogPathOf,
  readMisses,
  recordMiss,
} from './trackers/dual-write-misses.js'
export {
  DUAL_WRITE_TIMEOUT_MS,
  DualWriteTracker,
  type StoreOpener,
} from './trackers/dual-write-tracker.js'
export {
  type OpenTrackerOptions,
  openTracker,
  type RecordedInvocation,
  recordInvocation,
  withReadTracker,
} from './trackers/open-tracker.js'
