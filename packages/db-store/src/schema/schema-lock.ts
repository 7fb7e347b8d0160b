import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { LockTimeoutError } from '@skill-metrics/core'
import type { SqlSession } from './sql-session.js'

/** A SQLite lock row lives this long unless its holder refreshes it: a killed runner's expires. */
const SQLITE_LOCK_LEASE_MS = 30_000
const SQLITE_LOCK_REFRESH_MS = 5_000

export interface SchemaLock {
  release(): Promise<void>
}

/**
 * The database-level lock that keeps two runners from applying the same migration, taken before
 * any transaction. PostgreSQL: a session advisory lock, which the server drops with the session,
 * so a killed runner never leaves it behind. SQLite: a lock row with owner and expiry (a lock file
 * would not follow the database to another host's mount), refreshed while held.
 */
export async function acquireSchemaLock(
  session: SqlSession,
  owner: string,
  timeoutMs: number,
): Promise<SchemaLock> {
  const deadline = Date.now() + timeoutMs
  const attempt = session.dialect === 'postgres' ? tryPostgres : trySqlite
  const token = `${owner} [${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}]`
  for (let round = 0; ; round += 1) {
    const lock = await attempt(session, token)
    if (lock !== undefined) return lock
    if (Date.now() >= deadline) {
      const holder = session.dialect === 'sqlite' ? await sqliteHolder(session) : 'another runner'
      throw new LockTimeoutError(
        `the schema lock is held by ${holder}; gave up after ${timeoutMs} ms`,
        {
          nextStep:
            session.dialect === 'sqlite'
              ? `Wait for the other runner to finish; a lock left by a killed runner expires ${SQLITE_LOCK_LEASE_MS / 1000} s after its last refresh.`
              : 'Wait for the other runner to finish; PostgreSQL releases the lock of a runner that died.',
        },
      )
    }
    await sleep(Math.min(10 * 2 ** round, 250) * (0.5 + Math.random()))
  }
}

const ADVISORY_KEY = `hashtext('skill-metrics:schema:' || current_schema())`

async function tryPostgres(session: SqlSession): Promise<SchemaLock | undefined> {
  const [row] = await session.rows<{ locked: boolean }>(
    `SELECT pg_try_advisory_lock(${ADVISORY_KEY}) AS locked`,
  )
  if (row?.locked !== true) return undefined
  return {
    release: async () => {
      await session.rows(`SELECT pg_advisory_unlock(${ADVISORY_KEY})`)
    },
  }
}

async function trySqlite(session: SqlSession, token: string): Promise<SchemaLock | undefined> {
  await session.execute(
    'CREATE TABLE IF NOT EXISTS schema_lock (id INTEGER PRIMARY KEY CHECK (id = 1), owner TEXT NOT NULL, expires_at INTEGER NOT NULL)',
  )
  const now = Date.now()
  await session.rows(
    `INSERT INTO schema_lock (id, owner, expires_at) VALUES (1, ?, ?)
     ON CONFLICT(id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
     WHERE schema_lock.expires_at < ?`,
    [token, now + SQLITE_LOCK_LEASE_MS, now],
  )
  if ((await sqliteHolder(session)) !== token) return undefined
  const refresh = setInterval(() => {
    session
      .rows('UPDATE schema_lock SET expires_at = ? WHERE id = 1 AND owner = ?', [
        Date.now() + SQLITE_LOCK_LEASE_MS,
        token,
      ])
      .catch(() => {
        // A missed refresh only shortens the lease; the next one or the release settles it.
      })
  }, SQLITE_LOCK_REFRESH_MS)
  refresh.unref()
  return {
    release: async () => {
      clearInterval(refresh)
      await session.rows('DELETE FROM schema_lock WHERE id = 1 AND owner = ?', [token])
    },
  }
}

async function sqliteHolder(session: SqlSession): Promise<string | undefined> {
  const [row] = await session.rows<{ owner: string }>('SELECT owner FROM schema_lock WHERE id = 1')
  return row?.owner
}
