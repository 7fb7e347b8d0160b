export { createDataSource, type DataSourceOptions, SQLITE_BUSY_TIMEOUT_MS } from './data-source.js'
export { asDatabaseFailure } from './database-errors.js'
export {
  type DatabaseTarget,
  DEFAULT_DATABASE_URL,
  parseDatabaseUrl,
  redactUrl,
} from './database-url.js'
export {
  type MigrationSource,
  NO_TRANSACTION_DIRECTIVE,
  ROLLBACK_MARKER,
} from './schema/migration-file.js'
export {
  BUNDLED_MIGRATIONS_DIR,
  DEFAULT_SCHEMA_LOCK_TIMEOUT_MS,
  type PlannedStep,
  type RunOptions,
  SchemaRunner,
  type SchemaRunnerOptions,
  type SchemaStatus,
  type StepResult,
  type VersionState,
  type VersionStatus,
} from './schema/schema-runner.js'
export { SqlSession } from './schema/sql-session.js'
export {
  type BackfillBatch,
  type BatchSyncResult,
  type FileRecord,
  type RangeDifferences,
  sameRecord,
} from './store/batch-sync.js'
export {
  type CompleteInvocation,
  importLegacyDocument,
  legacyRecordOf,
  lockStoreWrites,
  type PendingInvocation,
  type SkillBaseline,
  SkillMetricsStore,
  type StoredInvocation,
  type StoreOptions,
  storedRecordOf,
  type UpsertResult,
} from './store/skill-metrics-store.js'
