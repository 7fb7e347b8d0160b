import type { MigrationSource } from './migration-file.js'
import type { SqlSession } from './sql-session.js'

/** A row of `schema_migrations`: what the runner recorded of one version. */
export interface HistoryRow {
  version: number
  description: string
  script: string
  checksum: string
  rollback_checksum: string | null
  rollback_sql: string | null
  applied_at: string
  migration_time_ms: number | null
  success: boolean
  installed_by: string | null
  kind: 'migrate' | 'baseline'
  failed_statement: number | null
  statements_applied: number | null
  error: string | null
}

/** The runner's own tables; only the types differ between the dialects. */
function bookkeepingDdl(dialect: SqlSession['dialect']): string[] {
  const real = dialect === 'postgres' ? 'DOUBLE PRECISION' : 'REAL'
  const serial =
    dialect === 'postgres' ? 'BIGSERIAL PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT'
  return [
    `CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      description TEXT NOT NULL,
      script TEXT NOT NULL,
      checksum TEXT NOT NULL,
      rollback_checksum TEXT,
      rollback_sql TEXT,
      applied_at TEXT NOT NULL,
      migration_time_ms ${real},
      success BOOLEAN NOT NULL,
      installed_by TEXT,
      kind TEXT NOT NULL DEFAULT 'migrate',
      failed_statement INTEGER,
      statements_applied INTEGER,
      error TEXT
    )`,
    `CREATE TABLE IF NOT EXISTS schema_migrations_audit (
      id ${serial},
      at TEXT NOT NULL,
      actor TEXT,
      action TEXT NOT NULL,
      version INTEGER,
      detail TEXT
    )`,
  ]
}

export async function ensureBookkeeping(session: SqlSession): Promise<void> {
  for (const statement of bookkeepingDdl(session.dialect)) await session.execute(statement)
}

export async function tableExists(session: SqlSession, table: string): Promise<boolean> {
  const rows =
    session.dialect === 'sqlite'
      ? await session.rows(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`, [table])
      : // pg_tables, not information_schema.tables: the latter checks privileges row by row and
        // took 23 ms of every store's opening (two lookups), the former reads the catalog's index.
        await session.rows(
          `SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = ?`,
          [table],
        )
  return rows.length > 0
}

export async function readHistory(session: SqlSession): Promise<HistoryRow[]> {
  if (!(await tableExists(session, 'schema_migrations'))) return []
  const rows = await session.rows<HistoryRow>('SELECT * FROM schema_migrations ORDER BY version')
  // SQLite has no boolean type: it returns 0/1.
  return rows.map((row) => ({
    ...row,
    success: Boolean(row.success),
    version: Number(row.version),
  }))
}

export async function insertHistory(session: SqlSession, row: HistoryRow): Promise<void> {
  await session.rows(
    `INSERT INTO schema_migrations (version, description, script, checksum, rollback_checksum,
       rollback_sql, applied_at, migration_time_ms, success, installed_by, kind, failed_statement,
       statements_applied, error)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      row.version,
      row.description,
      row.script,
      row.checksum,
      row.rollback_checksum,
      row.rollback_sql,
      row.applied_at,
      row.migration_time_ms,
      session.dialect === 'sqlite' ? Number(row.success) : row.success,
      row.installed_by,
      row.kind,
      row.failed_statement,
      row.statements_applied,
      row.error,
    ],
  )
}

export async function audit(
  session: SqlSession,
  actor: string,
  action: string,
  version: number | null,
  detail: string,
): Promise<void> {
  await session.rows(
    'INSERT INTO schema_migrations_audit (at, actor, action, version, detail) VALUES (?, ?, ?, ?, ?)',
    [new Date().toISOString(), actor, action, version, detail],
  )
}

export function rowOfSource(source: MigrationSource, actor: string): HistoryRow {
  return {
    version: source.version,
    description: source.description,
    script: source.scriptName,
    checksum: source.forwardChecksum,
    rollback_checksum: source.rollbackChecksum,
    rollback_sql: source.rollbackSql,
    applied_at: new Date().toISOString(),
    migration_time_ms: null,
    success: true,
    installed_by: actor,
    kind: 'migrate',
    failed_statement: null,
    statements_applied: null,
    error: null,
  }
}

/** The stored rollback SQL of a row, planned like a file so it gets the same checks. */
export function sourceOfRow(row: HistoryRow): MigrationSource {
  return {
    version: row.version,
    description: row.description,
    scriptName: row.script,
    path: `schema_migrations V${row.version} (${row.script})`,
    dialectSpecific: false,
    forwardSql: '',
    rollbackSql: row.rollback_sql,
    forwardChecksum: row.checksum,
    rollbackChecksum: row.rollback_checksum,
    transactional: true,
    optional: false,
  }
}

/** Undoes a version's history row, audited: the bookkeeping half of a rollback step. */
export async function forgetVersion(
  session: SqlSession,
  actor: string,
  row: HistoryRow,
): Promise<void> {
  await session.rows('DELETE FROM schema_migrations WHERE version = ?', [row.version])
  await audit(session, actor, 'rollback', row.version, `undid ${row.script}`)
}

/** `repair`: drops a failed row (the file was fixed, or the damage mended by hand), audited. */
export async function clearFailedRow(
  session: SqlSession,
  actor: string,
  row: HistoryRow,
): Promise<void> {
  await session.rows('DELETE FROM schema_migrations WHERE version = ? AND success = ?', [
    row.version,
    session.dialect === 'sqlite' ? 0 : false,
  ])
  await audit(session, actor, 'repair-clear-failed', row.version, JSON.stringify(row))
}

/** `repair --realign`: records an intended edit of an applied file, audited with both sums. */
export async function realignRow(
  session: SqlSession,
  actor: string,
  source: MigrationSource,
  before: HistoryRow,
): Promise<void> {
  await session.rows(
    'UPDATE schema_migrations SET checksum = ?, rollback_checksum = ?, rollback_sql = ?, description = ?, script = ? WHERE version = ?',
    [
      source.forwardChecksum,
      source.rollbackChecksum,
      source.rollbackSql,
      source.description,
      source.scriptName,
      source.version,
    ],
  )
  await audit(
    session,
    actor,
    'repair-realign',
    source.version,
    JSON.stringify({
      before: { checksum: before.checksum, rollback_checksum: before.rollback_checksum },
      after: { checksum: source.forwardChecksum, rollback_checksum: source.rollbackChecksum },
    }),
  )
}
