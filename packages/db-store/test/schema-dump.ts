import type { TestDatabase } from '@skill-metrics/testing/databases'
import Database from 'better-sqlite3'
import pg from 'pg'

const BOOKKEEPING = new Set(['schema_migrations', 'schema_migrations_audit', 'schema_lock'])

/** A canonical text of the user-visible schema (bookkeeping tables left out), for comparisons. */
export async function dumpSchema(database: TestDatabase): Promise<string> {
  if (database.target.dialect === 'sqlite') {
    const db = new Database(database.target.path, { readonly: true })
    try {
      const rows = db
        .prepare(
          `SELECT type, name, tbl_name AS tbl, sql FROM sqlite_master
           WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`,
        )
        .all() as Array<{ type: string; name: string; tbl: string; sql: string | null }>
      return rows
        .filter((row) => !BOOKKEEPING.has(row.tbl))
        .map((row) => `${row.type} ${row.name}: ${row.sql ?? ''}`)
        .join('\n')
    } finally {
      db.close()
    }
  }
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  try {
    const columns = await client.query(
      `SELECT table_name, column_name, data_type, is_nullable, column_default, ordinal_position
       FROM information_schema.columns WHERE table_schema = current_schema()
       ORDER BY table_name, ordinal_position`,
    )
    const indexes = await client.query(
      `SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname`,
    )
    const constraints = await client.query(
      `SELECT conrelid::regclass::text AS tbl, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
       WHERE connamespace = current_schema()::regnamespace ORDER BY conname`,
    )
    return [
      ...columns.rows
        .filter((row) => !BOOKKEEPING.has(row.table_name))
        .map((row) => JSON.stringify(row)),
      ...indexes.rows
        .filter((row) => !BOOKKEEPING.has(row.tablename))
        .map((row) => JSON.stringify(row)),
      ...constraints.rows
        .filter((row) => !BOOKKEEPING.has(row.tbl))
        .map((row) => JSON.stringify(row)),
    ].join('\n')
  } finally {
    await client.end()
  }
}

/** The whole catalog of the database's schema, bookkeeping included: what a dry run must not touch. */
export async function catalogSnapshot(database: TestDatabase): Promise<string> {
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  try {
    const result = await client.query(
      `SELECT c.relname, c.relkind, c.reltuples, c.relpages, (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid) AS attributes
       FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace ORDER BY c.relname`,
    )
    return JSON.stringify(result.rows)
  } finally {
    await client.end()
  }
}
