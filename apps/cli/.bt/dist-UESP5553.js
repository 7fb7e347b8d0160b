import {
  BUNDLED_MIGRATIONS_DIR,
  DEFAULT_SCHEMA_LOCK_TIMEOUT_MS,
  NO_TRANSACTION_DIRECTIVE,
  PhaseStore,
  ROLLBACK_MARKER,
  SQLITE_BUSY_TIMEOUT_MS,
  SchemaRunner,
  SkillMetricsStore,
  createDataSource,
  importLegacyDocument,
  legacyRecordOf,
  loadTypeorm,
  storedRecordOf
} from "./chunk-AMQPUULD.js";
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_DATABASE_URL,
  asDatabaseFailure,
  canonicalDatabaseUrl,
  parseDatabaseUrl,
  redactUrl,
  requireLastingDatabase
} from "./chunk-IJ4VH45E.js";
export {
  BUNDLED_MIGRATIONS_DIR,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_DATABASE_URL,
  DEFAULT_SCHEMA_LOCK_TIMEOUT_MS,
  NO_TRANSACTION_DIRECTIVE,
  PhaseStore,
  ROLLBACK_MARKER,
  SQLITE_BUSY_TIMEOUT_MS,
  SchemaRunner,
  SkillMetricsStore,
  asDatabaseFailure,
  canonicalDatabaseUrl,
  createDataSource,
  importLegacyDocument,
  legacyRecordOf,
  loadTypeorm,
  parseDatabaseUrl,
  redactUrl,
  requireLastingDatabase,
  storedRecordOf
};
