// A writer process for the multi-process tests: tracks invocations through the built package and
// prints one line per invocation whose completer returned, so a parent that kills it knows which
// writes it must find in the file.
import { JsonFileTracker } from '@skill-metrics/json-tracker'

const [file, writer, countText] = process.argv.slice(2)
const count = countText === 'forever' ? Number.POSITIVE_INFINITY : Number(countText)
const tracker = new JsonFileTracker({ file })
const skills = ['review', 'refactor', '7', 'naïve ✓', 'emoji 🎉']
const errors = ['TimeoutError', 'ValueError']
for (let index = 0; index < count; index += 1) {
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
}
