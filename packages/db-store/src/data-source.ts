import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { createFileIfMissing } from '@skill-metrics/durable-file'
import type { DataSource } from 'typeorm'
import { asOpenFailure } from './database-errors.js'
import { type DatabaseTarget, DEFAULT_CONNECT_TIMEOUT_MS } from './database-url.js'

/** How long SQLite waits on a locked database before it reports "database is locked". */
export const SQLITE_BUSY_TIMEOUT_MS = 10_000

export interface DataSourceOptions {
  /** Opens SQLite read-only and never creates the file: what `--dry-run` needs. */
  readOnly?: boolean
  poolSize?: number
  /** SQLite: how long to wait on a locked database. PostgreSQL's wait to connect is the target's. */
  busyTimeoutMs?: number
}

/**
 * Switching a new database file to WAL needs it to itself: a second process opening the same new
 * file at that moment gets SQLITE_BUSY at once, without the busy handler (seen with two runners
 * started together). Retry within the busy timeout instead of failing.
 */
async function switchToWal(database: { pragma(source: string): unknown }): Promise<void> {
  const deadline = Date.now() + SQLITE_BUSY_TIMEOUT_MS
  for (;;) {
    try {
      database.pragma('journal_mode = WAL')
      return
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error
      await sleep(5 + Math.random() * 20)
    }
  }
}

/**
 * TypeORM, imported by the first data source rather than at start: it takes longer to import than
 * the rest of a `track` start together (bench/startup.mjs), and only a command that opens a
 * database needs it. A caller whose database writes are timed imports it first, so that loading
 * code never counts against its bound.
 */
export function loadTypeorm(): Promise<typeof import('typeorm')> {
  return import('typeorm')
}

/**
 * A TypeORM DataSource for the target: SQLite through better-sqlite3 in WAL mode with a busy
 * timeout, PostgreSQL through a `pg` pool whose search_path is the URL's schema.
 */
export async function createDataSource(
  target: DatabaseTarget,
  options: DataSourceOptions = {},
): Promise<DataSource> {
  const { DataSource } = await loadTypeorm()
  if (target.dialect === 'sqlite') {
    const readOnly = options.readOnly === true && !target.inMemory
    if (!target.inMemory && !readOnly) {
      mkdirSync(dirname(target.path), { recursive: true })
      // SQLite would create the file 0644 under the usual umask; its -wal and -shm files take
      // the database file's mode, so creating it first with the legacy file's mode covers all three.
      createFileIfMissing(target.path, target.fileMode)
    }
    return new DataSource({
      type: 'better-sqlite3',
      database: target.path,
      readonly: readOnly,
      fileMustExist: readOnly,
      timeout: options.busyTimeoutMs ?? SQLITE_BUSY_TIMEOUT_MS,
      ...(readOnly || target.inMemory ? {} : { prepareDatabase: switchToWal }),
    })
  }
  return new DataSource({
    type: 'postgres',
    url: target.url,
    poolSize: options.poolSize ?? 10,
    applicationName: 'skill-metrics',
    connectTimeoutMS: target.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    ...(target.schema === undefined ? {} : { schema: target.schema }),
    extra: target.schema === undefined ? {} : { options: `-c search_path=${target.schema}` },
  })
}

/**
 * The data source, initialised: the way every part of the store opens its database, so that a
 * database that cannot be reached or opened is always the operator's error (exit 4, one line
 * naming where and what to check), never a bug with a stack trace.
 */
export async function openDataSource(
  target: DatabaseTarget,
  options: DataSourceOptions = {},
): Promise<DataSource> {
  try {
    return await (await createDataSource(target, options)).initialize()
  } catch (error) {
    throw asOpenFailure(error, target)
  }
}
