// Writes the invocations of a legacy file as CSV, for the `psql \copy` reference.
import { createWriteStream, readFileSync } from 'node:fs'

const [file, out] = process.argv.slice(2)
const quote = (value) => (value === null ? '' : `"${String(value).replaceAll('"', '""')}"`)
const stream = createWriteStream(out)
for (const row of JSON.parse(readFileSync(file, 'utf8')).invocations) {
  stream.write(
    `${[row.skill_name, row.invoked_at, row.workflow_path, row.completed, row.duration_seconds, JSON.stringify(row.follow_up_actions), row.error_type].map(quote).join(',')}\n`,
  )
}
stream.end()
