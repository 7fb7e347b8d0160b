#!/usr/bin/env node
// A long-running writer through the library: the phase decides where its writes go
// (openTracker follows every transition). Appends each tag to its log once the writes returned,
// with the longer of its two calls in ms (how long the writer was held). A call refused with
// exit 4 (no space left, a lock not taken in time) is the tool's answer, not a crash: it goes to
// `<log>.refused` with when it ran, for the harness to judge, and the writer goes on.
import { appendFileSync, existsSync } from 'node:fs'
import { parseDatabaseUrl } from '@skill-metrics/db-store'
import { openTracker } from '@skill-metrics/migration'

const [jsonFile, url, name, stopFile, log] = process.argv.slice(2)
const tracker = await openTracker({ jsonFile, db: parseDatabaseUrl(url) })
try {
  for (let index = 0; !existsSync(stopFile); index += 1) {
    const tag = `${name}-${index}`
    const startedAt = Date.now()
    const started = performance.now()
    try {
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
    } catch (error) {
      if (error?.exitCode !== 4) throw error
      const refusal = { tag, startedAt, endedAt: Date.now(), message: error.message }
      appendFileSync(`${log}.refused`, `${JSON.stringify(refusal)}\n`)
    }
  }
} finally {
  await tracker.close()
}
