import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DatabaseTarget, parseDatabaseUrl } from '@skill-metrics/db-store'
import pg from 'pg'

/** The server the tests use; CI starts it (.ci/run). Override with SKILL_METRICS_TEST_PG. */
export const TEST_POSTGRES_URL =
  process.env.SKILL_METRICS_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test'

async function probePostgres(): Promise<string | undefined> {
  const client = new pg.Client({
    connectionString: TEST_POSTGRES_URL,
    connectionTimeoutMillis: 3_000,
  })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return undefined
  } catch (error) {
    return (error as Error).message
  } finally {
    await client.end().catch(() => {})
  }
}

const unavailable = await probePostgres()
if (unavailable !== undefined) {
  if (process.env.CI) {
    throw new Error(`PostgreSQL at ${TEST_POSTGRES_URL} is not reachable in CI: ${unavailable}`)
  }
  console.warn(`skipping PostgreSQL tests: ${TEST_POSTGRES_URL} is not reachable (${unavailable})`)
}

/** The dialects to run a suite on: PostgreSQL only when reachable (always in CI). */
export const DIALECTS: Array<'sqlite' | 'postgres'> =
  unavailable === undefined ? ['sqlite', 'postgres'] : ['sqlite']

export interface TestDatabase {
  url: string
  target: DatabaseTarget
  drop(): Promise<void>
}

let counter = 0

/** A fresh, empty database of the dialect: a temp SQLite file, or a new PostgreSQL database. */
export async function freshDatabase(dialect: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const url = `sqlite:${join(await mkdtemp(join(tmpdir(), 'sm-db-')), 'skill_metrics.db')}`
    return { url, target: parseDatabaseUrl(url), drop: async () => {} }
  }
  const name = `sm_test_${process.pid}_${Date.now()}_${counter++}`
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${name}`)
  } finally {
    await admin.end()
  }
  const url = new URL(TEST_POSTGRES_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    target: parseDatabaseUrl(url.toString()),
    drop: async () => {
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL })
      await client.connect()
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      } finally {
        await client.end()
      }
    },
  }
}
