export { currentActor } from './phases/actor.js'
export { backupLegacyFile, type LegacyBackup } from './operations/backup.js'
export {
  type CleanupOptions,
  type CleanupOutcome,
  cleanup,
  DEFAULT_RETENTION_DAYS,
  type LegacyArchive,
} from './operations/cleanup.js'
export {
  type CutoverOptions,
  type CutoverResult,
  type CutoverStep,
  cutover,
  DEFAULT_FREEZE_TIMEOUT_MS,
} from './operations/cutover.js'
export {
  DEFAULT_BATCH_SIZE,
  JSON_TRUTH_PHASES,
  type MigrateOptions,
  type MigrateProgress,
  type MigrateResult,
  migrateData,
  type RejectedRecord,
} from './backfill/data-migrator.js'
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
} from './backfill/data-validator.js'
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
export { type DualWriteMiss, missLogPathOf, readMisses, recordMiss } from './trackers/dual-write-misses.js'
export { DUAL_WRITE_TIMEOUT_MS, DualWriteTracker, type StoreOpener } from './trackers/dual-write-tracker.js'
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
export { checkHealth, type HealthOptions, type HealthReport } from './operations/health.js'
export { type OpenTrackerOptions, openTracker } from './trackers/open-tracker.js'
export {
  type PhaseCopy,
  phaseCopyPathOf,
  readPhaseCopy,
  readSourceOf,
  writePhaseCopy,
} from './phases/phase-copy.js'
export {
  type PhaseState,
  PhaseStore,
  type TransitionRecord,
  type ValidationRecord,
} from './phase-store.js'
export {
  DB_TRUTH_PHASES,
  ROLLBACK_TARGETS,
  type RollbackOptions,
  type RollbackResult,
  type RollbackTarget,
  rollback,
} from './operations/rollback.js'
export { type MigrationStatus, migrationStatus, nextCommand } from './operations/status.js'
export {
  type Guard,
  type GuardCheck,
  type GuardContext,
  settledPhaseCopy,
  type TransitionOutcome,
  type TransitionRequest,
  transition,
} from './phases/transition.js'
