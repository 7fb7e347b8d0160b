import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import Database from 'better-sqlite3'
import pg from 'pg'

/**
 * The harness reads both stores on its own, with plain JSON.parse and SQL, never through the
 * packages it checks: a defect in their readers must not hide a defect in their writers.
 */
export interface Invocation {
  skill_name: string
  invoked_at: string
  workflow_path: string | null
  completed: boolean
  duration_seconds: number | null
  error_type: string | null
  follow_up_actions: string[]
}

export interface Aggregate {
  total_invocations: number
  completed_invocations: number
  abandoned_invocations: number
  total_duration_seconds: number
  workflow_paths: Record<string, number>
  common_errors: Record<string, number>
  follow_up_actions: Record<string, number>
}

export interface StoreContent {
  invocations: Invocation[]
  skills: Map<string, Aggregate>
}

export async function readLegacyFile(path: string): Promise<StoreContent | null> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
  return parseLegacyFile(text)
}

/** The lines of a log beside the legacy file; a missing log has none. */
export async function logLines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '')
  return text.split('\n').filter(Boolean)
}

/** The records and aggregates of a legacy file's text; throws when the text does not parse. */
export function parseLegacyFile(text: string): StoreContent {
  const document = JSON.parse(text) as {
    invocations: Invocation[]
    skills: Record<string, Aggregate>
  }
  return { invocations: document.invocations, skills: new Map(Object.entries(document.skills)) }
}

export interface DatabaseReader {
  phase(): Promise<{ phase: string; epoch: number } | null>
  content(): Promise<StoreContent>
  count(): Promise<number>
  /** Holds the store's tables locked for `ms`: the database is unavailable to writers meanwhile. */
  holdLocked(ms: number): Promise<void>
  close(): Promise<void>
}

const INVOCATION_SQL =
  'SELECT skill_name, invoked_at, workflow_path, completed, duration_seconds, error_type, follow_up_actions FROM skill_invocation ORDER BY seq NULLS LAST, invoked_at'
const SKILL_SQL =
  'SELECT skill_name, total_invocations, completed_invocations, abandoned_invocations, total_duration_seconds, workflow_paths, common_errors, follow_up_actions FROM skill_metrics ORDER BY position'

interface Row {
  [column: string]: unknown
}

const invocationOf = (row: Row): Invocation => ({
  skill_name: String(row.skill_name),
  invoked_at: String(row.invoked_at),
  workflow_path: row.workflow_path === null ? null : String(row.workflow_path),
  completed: Boolean(row.completed),
  duration_seconds: row.duration_seconds === null ? null : Number(row.duration_seconds),
  error_type: row.error_type === null ? null : String(row.error_type),
  follow_up_actions: JSON.parse(String(row.follow_up_actions)),
})

const aggregateOf = (row: Row): [string, Aggregate] => [
  String(row.skill_name),
  {
    total_invocations: Number(row.total_invocations),
    completed_invocations: Number(row.completed_invocations),
    abandoned_invocations: Number(row.abandoned_invocations),
    total_duration_seconds: Number(row.total_duration_seconds),
    workflow_paths: JSON.parse(String(row.workflow_paths)),
    common_errors: JSON.parse(String(row.common_errors)),
    follow_up_actions: JSON.parse(String(row.follow_up_actions)),
  },
]

export function sqliteReader(path: string): DatabaseReader {
  const open = () => new Database(path, { fileMustExist: true, timeout: 30_000 })
  /** Reads `work`; `empty` when the database file does not exist yet. */
  const read = <T>(work: (database: Database.Database) => T, empty: T): T => {
    if (!existsSync(path)) return empty
    const database = open()
    try {
      return work(database)
    } finally {
      database.close()
    }
  }
  const hasTable = (database: Database.Database, name: string) =>
    database.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !==
    undefined
  return {
    async phase() {
      return read((database) => {
        if (!hasTable(database, 'migration_state')) return null
        const row = database
          .prepare('SELECT phase, epoch FROM migration_state WHERE id = 1')
          .get() as Row | undefined
        return row === undefined ? null : { phase: String(row.phase), epoch: Number(row.epoch) }
      }, null)
    },
    async content() {
      // One read transaction: the records and the aggregates of the same moment.
      return read(
        (database) =>
          database.transaction(() => ({
            invocations: (database.prepare(INVOCATION_SQL).all() as Row[]).map(invocationOf),
            skills: new Map((database.prepare(SKILL_SQL).all() as Row[]).map(aggregateOf)),
          }))(),
        { invocations: [], skills: new Map() },
      )
    },
    async count() {
      return read(
        (database) =>
          hasTable(database, 'skill_invocation')
            ? Number(
                (database.prepare('SELECT COUNT(*) AS n FROM skill_invocation').get() as Row).n,
              )
            : 0,
        0,
      )
    },
    async holdLocked(ms) {
      const database = open()
      try {
        database.exec('BEGIN EXCLUSIVE')
        await new Promise((resolve) => setTimeout(resolve, ms))
        database.exec('ROLLBACK')
      } finally {
        database.close()
      }
    },
    async close() {},
  }
}

export function postgresReader(connectionString: string, schema: string): DatabaseReader {
  const pool = new pg.Pool({ connectionString, max: 2 })
  const query = async (sql: string) => (await pool.query(sql)).rows as Row[]
  const hasTable = async (name: string) =>
    (
      await pool.query(
        'SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2',
        [schema, name],
      )
    ).rowCount! > 0
  return {
    async phase() {
      if (!(await hasTable('migration_state'))) return null
      const [row] = await query(`SELECT phase, epoch FROM "${schema}".migration_state WHERE id = 1`)
      return row === undefined ? null : { phase: String(row.phase), epoch: Number(row.epoch) }
    },
    async content() {
      const client = await pool.connect()
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ')
        const invocations = (
          await client.query(
            INVOCATION_SQL.replace(
              'follow_up_actions FROM',
              'follow_up_actions::text FROM',
            ).replace('FROM skill_invocation', `FROM "${schema}".skill_invocation`),
          )
        ).rows.map(invocationOf)
        const skills = new Map(
          (
            await client.query(
              SKILL_SQL.replace(
                'workflow_paths, common_errors, follow_up_actions FROM skill_metrics',
                `workflow_paths::text, common_errors::text, follow_up_actions::text FROM "${schema}".skill_metrics`,
              ),
            )
          ).rows.map(aggregateOf),
        )
        await client.query('COMMIT')
        return { invocations, skills }
      } finally {
        client.release()
      }
    },
    async count() {
      if (!(await hasTable('skill_invocation'))) return 0
      return Number((await query(`SELECT COUNT(*) AS n FROM "${schema}".skill_invocation`))[0]!.n)
    },
    async holdLocked(ms) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        await client.query(
          `LOCK TABLE "${schema}".skill_invocation, "${schema}".skill_metrics IN ACCESS EXCLUSIVE MODE`,
        )
        await new Promise((resolve) => setTimeout(resolve, ms))
        await client.query('ROLLBACK')
      } finally {
        client.release()
      }
    },
    async close() {
      await pool.end()
    },
  }
}
