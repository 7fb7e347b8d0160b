// A scratch PostgreSQL database for a benchmark, or undefined when no server answers.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import pg from 'pg'
import { root, timed } from './measure.mjs'

const POSTGRES_URL = process.env.SKILL_METRICS_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test'

export async function scratchPostgres(label) {
  const admin = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2_000 })
  try {
    await admin.connect()
  } catch {
    return undefined
  }
  const name = `sm_bench_${label}_${process.pid}_${Date.now()}`
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(POSTGRES_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL })
      await client.connect()
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await client.end()
    },
  }
}

export const psql = (url, command) =>
  execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', command], { stdio: 'pipe' })

/**
 * The reference for loading a legacy file into PostgreSQL: JSON.parse into CSV, then `psql \copy`
 * into a table without keys or indexes. Returns the two times apart, since the backfill goal is
 * set against the copy alone.
 */
export function copyReference(url, work, legacyFile) {
  const csv = join(work, 'rows.csv')
  const csvSeconds = timed('reference: legacy file → CSV', () =>
    execFileSync(process.execPath, [join(root, 'bench/csv-of-legacy.mjs'), legacyFile, csv]),
  )
  psql(
    url,
    'CREATE TABLE IF NOT EXISTS copy_reference (skill_name TEXT, invoked_at TEXT, workflow_path TEXT, completed BOOLEAN, duration_seconds DOUBLE PRECISION, follow_up_actions JSON, error_type TEXT)',
  )
  const copySeconds = timed('reference: psql \\copy', () =>
    psql(url, `\\copy copy_reference FROM '${csv}' WITH (FORMAT csv)`),
  )
  return { csvSeconds, copySeconds }
}

/** `psql \\copy` of a CSV written by `csv-of-legacy.mjs … with-keys` into the real table. */
export const copyKeyedRows = (url, csv) =>
  psql(
    url,
    `\\copy skill_invocation (skill_name, invoked_at, workflow_path, completed, duration_seconds, follow_up_actions, error_type, id, seq, schema_version) FROM '${csv}' WITH (FORMAT csv)`,
  )

/**
 * The goal's reference for a backfill into PostgreSQL: JSON.parse into CSV with each row's id,
 * position and schema version, then `psql \\copy` into the real `skill_invocation` of `url`
 * (at the latest schema version, empty), the two timed together as ours starts from the file too.
 */
export function realSchemaCopy(url, work, legacyFile) {
  const csv = join(work, 'rows-with-keys.csv')
  return timed(
    'reference: legacy file → CSV with ids, then psql \\copy into the real table',
    () => {
      execFileSync(process.execPath, [
        join(root, 'bench/csv-of-legacy.mjs'),
        legacyFile,
        csv,
        'with-keys',
      ])
      copyKeyedRows(url, csv)
    },
  )
}
