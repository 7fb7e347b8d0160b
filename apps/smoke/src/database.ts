import { join } from 'node:path'
import pg from 'pg'
import type { Options } from './options.js'
import { type DatabaseReader, postgresReader, sqliteReader } from './stores.js'

/** The run's own database, created for it and dropped after it. */
export interface Database {
  url: string
  reader: DatabaseReader
  /** As a backfill that never copies the file's first record would leave the database. */
  deleteFirstRecord(): Promise<void>
  drop(): Promise<void>
}

export function createDatabase(dialect: Options['dialect'], dir: string): Promise<Database> {
  return dialect === 'sqlite' ? sqliteDatabase(dir) : postgresDatabase()
}

async function sqliteDatabase(dir: string): Promise<Database> {
  const path = join(dir, 'skill_metrics.db')
  const reader = sqliteReader(path)
  return {
    url: `sqlite:${path}`,
    reader,
    async deleteFirstRecord() {
      const { default: Sqlite } = await import('better-sqlite3')
      const handle = new Sqlite(path, { timeout: 30_000 })
      handle.prepare('DELETE FROM skill_invocation WHERE seq = 0').run()
      handle.close()
    },
    drop: () => reader.close(),
  }
}

async function postgresDatabase(): Promise<Database> {
  const base = process.env.SKILL_METRICS_SMOKE_PG ?? 'postgres://postgres@127.0.0.1:5432/test'
  const schema = `smoke_${process.pid}_${Date.now()}`
  await adminQuery(base, `CREATE SCHEMA "${schema}"`)
  const reader = postgresReader(base, schema)
  return {
    url: `${base}?schema=${schema}`,
    reader,
    deleteFirstRecord: () =>
      adminQuery(base, `DELETE FROM "${schema}".skill_invocation WHERE seq = 0`),
    async drop() {
      await reader.close()
      await adminQuery(base, `DROP SCHEMA "${schema}" CASCADE`)
    },
  }
}

/** One statement on a connection of its own, outside the reader's. */
async function adminQuery(connectionString: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString })
  await client.connect()
  await client.query(sql)
  await client.end()
}
