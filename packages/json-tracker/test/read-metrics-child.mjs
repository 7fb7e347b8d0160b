// Reads a legacy file's metrics through the built package; the parent runs it with a heap cap.
import { readMetrics } from '@skill-metrics/json-tracker'

const metrics = await readMetrics(process.argv[2])
const total = [...metrics.values()].reduce((sum, skill) => sum + skill.total_invocations, 0)
process.stdout.write(JSON.stringify({ skills: metrics.size, total }))
