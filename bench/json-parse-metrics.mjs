// The reference for `skill-metrics metrics`: the smallest script that computes the same answer
// the obvious way, JSON.parse of the whole file (which also reorders keys that look like numbers).
import { readFileSync } from 'node:fs'

const data = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const durations = new Map()
for (const invocation of data.invocations) {
  if (!invocation.completed || invocation.duration_seconds === null) continue
  const list = durations.get(invocation.skill_name) ?? []
  list.push(invocation.duration_seconds)
  durations.set(invocation.skill_name, list)
}
const percentile = (sorted, fraction) => {
  if (sorted.length === 0) return null
  const rank = fraction * (sorted.length - 1)
  const low = sorted[Math.floor(rank)]
  return low + (sorted[Math.ceil(rank)] - low) * (rank - Math.floor(rank))
}
const metrics = {}
for (const [name, skill] of Object.entries(data.skills)) {
  const sorted = Float64Array.from(durations.get(name) ?? []).sort()
  metrics[name] = {
    ...skill,
    p50_duration_seconds: percentile(sorted, 0.5),
    p95_duration_seconds: percentile(sorted, 0.95),
    p99_duration_seconds: percentile(sorted, 0.99),
  }
}
process.stdout.write(JSON.stringify(metrics))
