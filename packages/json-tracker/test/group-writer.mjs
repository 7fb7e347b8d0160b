// A writer process for the group-commit kill trials: `count` whole invocations, one change each,
// through the built package; prints each tag once its commit returned.
import { systemClock } from '@skill-metrics/core'
import { invocationEntry, JsonFileTracker } from '@skill-metrics/json-tracker'

const [file, prefix, countText] = process.argv.slice(2)
const tracker = new JsonFileTracker({ file })
for (let index = 0; index < Number(countText); index += 1) {
  const tag = `${prefix}-${index}`
  await tracker.commit(
    invocationEntry('group', { workflowPath: tag }, { durationSeconds: 1 }, systemClock),
  )
  console.log(tag)
}
