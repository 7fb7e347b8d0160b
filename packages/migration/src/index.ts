/** What the CLI needs from the layers below, so that it depends on this package and core only. */
export {
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
export { generateLegacyFile } from '@skill-metrics/json-tracker'
export {
  type DataMigrationRun,
  DEFAULT_BATCH_SIZE,
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
  type LegacyArchive,
  legacyArchiveOf,
} from './operations/cleanup.js'
export {
  type CutoverOptions,
  type CutoverResult,
  type CutoverStep,
  cutover,
} from './operations/cutover.js'
export {
  checkHealth,
  type HealthOptions,
  type HealthReport,
  healthFailure,
} from './operations/health.js'
export { type ReportModelOptions, reportModelOf } from './operations/report-model.js'
export {
  type RollbackOptions,
  type RollbackResult,
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
export {
  DB_TRUTH_PHASES,
  JSON_TRUTH_PHASES,
  type PhaseCopy,
  phaseCopyPathOf,
  type ReadSource,
  readPhaseCopy,
  readSourceOf,
  settledPhaseCopy,
  writePhaseCopy,
} from './phases/phase-copy.js'
export {
  type Guard,
  type GuardCheck,
  type GuardContext,
  legacyFileServed,
  type OperatorOptions,
  type TransitionOutcome,
  type TransitionRequest,
  transition,
} from './phases/transition.js'
export * from './start.js'
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
  withReadTracker,
} from './trackers/open-tracker.js'
