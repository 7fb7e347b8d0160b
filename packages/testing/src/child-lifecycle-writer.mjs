// A long-running library writer for the lifecycle tests: the phase decides the tracker
// (openTracker) and it follows every transition; it writes until the stop file appears.
import { parseDatabaseUrl } from '@skill-metrics/db-store'
import { openTracker } from '@skill-metrics/migration'
import { writeUntil } from './write-invocations.mjs'

const [jsonFile, url, writer, stopFile] = process.argv.slice(2)
const tracker = await openTracker({ jsonFile, db: parseDatabaseUrl(url) })
try {
  await writeUntil(tracker, writer, stopFile)
} finally {
  await tracker.close()
}
