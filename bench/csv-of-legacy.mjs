// Writes the invocations of a legacy file as CSV, for the `psql \copy` references. With
// `with-keys`, each row also gets a random uuid and its position, for a copy into the real table.
import { randomUUID } from 'node:crypto'
import { createWriteStream, readFileSync } from 'node:fs'

const [file, out, mode] = process.argv.slice(2)
const quote = (value) => (value === null ? '' : `"${String(value).replaceAll('"', '""')}"`)
const stream = createWriteStream(out)
for (const [seq, row] of JSON.parse(readFileSync(file, 'utf8')).invocations.entries()) {
  const values = [
    row.skill_name,
    row.invoked_at,
    row.workflow_path,
    row.completed,
    row.duration_seconds,
    JSON.stringify(row.follow_up_actions),
    row.error_type,
  ]
  if (mode === 'with-keys') values.push(randomUUID(), seq)
  stream.write(`${values.map(quote).join(',')}\n`)
}
stream.end()
