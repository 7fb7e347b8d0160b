// The reference for `data migrate` on SQLite: the physical limit on purpose. JSON.parse of the
// whole file and one prepared better-sqlite3 INSERT per row in one transaction; it validates
// nothing, computes no id and keeps no order.
import { readFileSync } from 'node:fs'
import Database from 'better-sqlite3'

const [file, databasePath] = process.argv.slice(2)
const data = JSON.parse(readFileSync(file, 'utf8'))
const db = new Database(databasePath)
db.pragma('journal_mode = WAL')
db.exec(`CREATE TABLE skill_invocation (skill_name TEXT, invoked_at TEXT, workflow_path TEXT, completed INTEGER,
  duration_seconds REAL, follow_up_actions TEXT, error_type TEXT)`)
const insert = db.prepare('INSERT INTO skill_invocation VALUES (?, ?, ?, ?, ?, ?, ?)')
db.transaction(() => {
  for (const row of data.invocations) {
    insert.run(
      row.skill_name,
      row.invoked_at,
      row.workflow_path,
      row.completed ? 1 : 0,
      row.duration_seconds,
      JSON.stringify(row.follow_up_actions),
      row.error_type,
    )
  }
})()
db.close()
