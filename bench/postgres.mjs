// A scratch PostgreSQL database for a benchmark, or undefined when no server answers.
import pg from 'pg'

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
