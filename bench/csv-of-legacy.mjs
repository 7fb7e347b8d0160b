// Writes the invocations of a legacy file as CSV, for the `psql \copy` references. With
// `with-keys`, each row also gets its uuid v5 id as our code computes it, its position and the
// schema version `data migrate` writes: the very rows of a backfill, for a copy into the real
// table.
import { createWriteStream, readFileSync } from 'node:fs'
import { InvocationIdAssigner } from '@skill-metrics/core'

const [file, out, mode] = process.argv.slice(2)
const quote = (value) => (value === null ? '' : `"${String(value).replaceAll('"', '""')}"`)
const stream = createWriteStream(out)
const ids = new InvocationIdAssigner()
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
  if (mode === 'with-keys') values.push(ids.next(row), seq, 3)
  stream.write(`${values.map(quote).join(',')}\n`)
}
stream.end()
