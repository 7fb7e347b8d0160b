import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { DataSource, type EntitySchema } from 'typeorm'
import type { DatabaseTarget } from './database-url.js'

/** How long SQLite waits on a locked database before it reports "database is locked". */
export const SQLITE_BUSY_TIMEOUT_MS = 10_000

export interface DataSourceOptions {
  entities?: EntitySchema[]
  /** Opens SQLite read-only and never creates the file: what `--dry-run` needs. */
  readOnly?: boolean
  poolSize?: number
}

/**
 * A TypeORM DataSource for the target: SQLite through better-sqlite3 in WAL mode with a busy
 * timeout, PostgreSQL through a `pg` pool whose search_path is the URL's schema.
 */
export function createDataSource(
  target: DatabaseTarget,
  options: DataSourceOptions = {},
): DataSource {
  const entities = options.entities ?? []
  if (target.dialect === 'sqlite') {
    const readOnly = options.readOnly === true && !target.inMemory
    if (!target.inMemory && !readOnly) mkdirSync(dirname(target.path), { recursive: true })
    return new DataSource({
      type: 'better-sqlite3',
      database: target.path,
      entities,
      readonly: readOnly,
      fileMustExist: readOnly,
      timeout: SQLITE_BUSY_TIMEOUT_MS,
      enableWAL: !readOnly && !target.inMemory,
    })
  }
  return new DataSource({
    type: 'postgres',
    url: target.url,
    entities,
    poolSize: options.poolSize ?? 10,
    applicationName: 'skill-metrics',
    ...(target.schema === undefined ? {} : { schema: target.schema }),
    extra: target.schema === undefined ? {} : { options: `-c search_path=${target.schema}` },
  })
}
