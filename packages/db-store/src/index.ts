export {
  createDataSource,
  type DataSourceOptions,
  loadTypeorm,
  SQLITE_BUSY_TIMEOUT_MS,
} from './data-source.js'
export { asDatabaseFailure } from './database-errors.js'
export {
  canonicalDatabaseUrl,
  type DatabaseTarget,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_DATABASE_URL,
  parseDatabaseUrl,
  redactUrl,
  requireLastingDatabase,
} from './database-url.js'
export {
  type PhaseState,
  PhaseStore,
  type TransitionRecord,
  type ValidationRecord,
} from './phases/phase-store.js'
export {
  type MigrationSource,
  NO_TRANSACTION_DIRECTIVE,
  ROLLBACK_MARKER,
} from './schema/migration-file.js'
export {
  BUNDLED_MIGRATIONS_DIR,
  DEFAULT_SCHEMA_LOCK_TIMEOUT_MS,
  type RunOptions,
  SchemaRunner,
  type SchemaRunnerOptions,
} from './schema/schema-runner.js'
export type {
  PlannedStep,
  SchemaStatus,
  StepResult,
  VersionState,
  VersionStatus,
} from './schema/schema-status.js'
export { legacyRecordOf, storedRecordOf } from './store/invocation-rows.js'
export { importLegacyDocument } from './store/legacy-import.js'
export { SkillMetricsStore, type StoreOptions } from './store/skill-metrics-store.js'
export type {
  BackfillBatch,
  BatchSyncResult,
  CompleteInvocation,
  FileRecord,
  MirroredWrite,
  PendingInvocation,
  RangeDifferences,
  SkillBaseline,
  StoredInvocation,
  UpsertResult,
} from './store/store-types.js'
