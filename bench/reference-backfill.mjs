// The references for `data migrate` on SQLite: JSON.parse of the whole file and one prepared
// better-sqlite3 INSERT per row in one transaction; it validates nothing. Without a third
// argument it inserts into a bare table without keys (the physical limit, a context row); with
// `real-schema` it inserts into the database at the given path, already migrated (to the latest
// version, or to V6 for bench/index-floor.mjs), the very rows `data migrate` writes: each with
// its uuid v5 id as our code computes it, its position and the schema version. That is the floor
// the real table's primary key and indexes set for any backfill; the goal is measured against it.
import { readFileSync } from 'node:fs'
import { InvocationIdAssigner } from '@skill-metrics/core'
import Database from 'better-sqlite3'

const [file, databasePath, mode] = process.argv.slice(2)
const data = JSON.parse(readFileSync(file, 'utf8'))
const db = new Database(databasePath)
db.pragma('journal_mode = WAL')
const realSchema = mode === 'real-schema'
if (!realSchema) {
  db.exec(`CREATE TABLE skill_invocation (skill_name TEXT, invoked_at TEXT, workflow_path TEXT, completed INTEGER,
  duration_seconds REAL, follow_up_actions TEXT, error_type TEXT)`)
}
const insert = realSchema
  ? db.prepare(`INSERT INTO skill_invocation (skill_name, invoked_at, workflow_path, completed, duration_seconds,
      follow_up_actions, error_type, id, seq, schema_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 3)`)
  : db.prepare('INSERT INTO skill_invocation VALUES (?, ?, ?, ?, ?, ?, ?)')
const ids = new InvocationIdAssigner()
db.transaction(() => {
  for (const [seq, row] of data.invocations.entries()) {
    const values = [
      row.skill_name,
      row.invoked_at,
      row.workflow_path,
      row.completed ? 1 : 0,
      row.duration_seconds,
      JSON.stringify(row.follow_up_actions),
      row.error_type,
    ]
    insert.run(...(realSchema ? [...values, ids.next(row), seq] : values))
  }
})()
db.close()
