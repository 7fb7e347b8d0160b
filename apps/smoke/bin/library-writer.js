#!/usr/bin/env node
// A long-running writer through the library: the phase decides where its writes go
// (openTracker follows every transition). Appends each tag to its log once the writes returned,
// with the longer of its two calls in ms (how long the writer was held).
import { appendFileSync, existsSync } from 'node:fs'
import { parseDatabaseUrl } from '@skill-metrics/db-store'
import { openTracker } from '@skill-metrics/migration'

const [jsonFile, url, name, stopFile, log] = process.argv.slice(2)
const tracker = await openTracker({ jsonFile, db: parseDatabaseUrl(url) })
try {
  for (let index = 0; !existsSync(stopFile); index += 1) {
    const tag = `${name}-${index}`
    const started = performance.now()
    const complete = await tracker.trackInvocation(['smoke-lib', 'review'][index % 2], {
      workflowPath: tag,
    })
    const recorded = performance.now()
    await complete({
      completed: index % 7 !== 3,
      followUpActions: index % 3 === 0 ? ['commit'] : [],
    })
    const longest = Math.max(recorded - started, performance.now() - recorded)
    appendFileSync(log, `${tag} ${Math.round(longest)}\n`)
  }
} finally {
  await tracker.close()
}
