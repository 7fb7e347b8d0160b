// A long-running writer for the dual-write tests: the phase decides the tracker (openTracker),
// and it prints one line per invocation whose completer returned.
import { parseDatabaseUrl } from '@skill-metrics/db-store'
import { openTracker } from '@skill-metrics/migration'

const [jsonFile, url, writer, countText] = process.argv.slice(2)
const tracker = await openTracker({ jsonFile, db: parseDatabaseUrl(url) })
try {
  for (let index = 0; index < Number(countText); index += 1) {
    const tag = `w${writer}-${index}`
    const complete = await tracker.trackInvocation(['review', 'lint', '7', 'emoji 🎉'][index % 4], {
      workflowPath: tag,
    })
    await complete({
      completed: index % 5 !== 3,
      errorType: index % 5 === 3 ? 'TimeoutError' : null,
      followUpActions: index % 3 === 0 ? ['commit', 'commit'] : [],
    })
    process.stdout.write(`${tag}\n`)
  }
} finally {
  await tracker.close()
}
