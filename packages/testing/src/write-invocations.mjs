// What every writer process of the multi-process tests does, whatever tracker it writes to: tracks
// invocations (some abandoned, some with errors and follow-ups) and prints one line per
// invocation whose completer returned, so a parent that kills it knows which writes must be found.
import { existsSync } from 'node:fs'

const skills = ['review', 'refactor', '7', 'naïve ✓', 'emoji 🎉']
const errors = ['TimeoutError', 'ValueError']

/** One invocation, start to completion; returns how long the two writes took, in ms. */
async function writeOne(tracker, writer, index) {
  const started = performance.now()
  const skill = skills[(index * 7 + Number(writer)) % skills.length]
  const tag = `w${writer}-${index}`
  const complete = await tracker.trackInvocation(skill, { workflowPath: tag })
  const abandoned = index % 5 === 3
  await complete({
    completed: !abandoned,
    errorType: abandoned || index % 11 === 0 ? errors[index % 2] : null,
    followUpActions: index % 3 === 0 ? ['commit', 'commit', tag] : [],
  })
  process.stdout.write(`${tag}\n`)
  return performance.now() - started
}

export async function writeInvocations(tracker, writer, count) {
  for (let index = 0; index < count; index += 1) await writeOne(tracker, writer, index)
}

/**
 * Writes until `stopFile` exists; after each invocation also prints `took <start ms> <ms>` (epoch
 * start, and how long its writes took), so a parent can tell how long a freeze held writers.
 */
export async function writeUntil(tracker, writer, stopFile) {
  for (let index = 0; !existsSync(stopFile); index += 1) {
    const start = Date.now()
    const took = await writeOne(tracker, writer, index)
    process.stdout.write(`took ${start} ${Math.round(took)}\n`)
  }
}
