// A writer process for the store's multi-process tests: tracks invocations through the built
// package and prints one line per invocation whose completer returned.
import { parseDatabaseUrl, SkillMetricsStore } from '@skill-metrics/db-store'

const [url, writer, countText] = process.argv.slice(2)
const store = await SkillMetricsStore.open({ target: parseDatabaseUrl(url) })
const skills = ['review', 'refactor', '7', 'naïve ✓', 'emoji 🎉']
const errors = ['TimeoutError', 'ValueError']
try {
  for (let index = 0; index < Number(countText); index += 1) {
    const skill = skills[(index * 7 + Number(writer)) % skills.length]
    const tag = `w${writer}-${index}`
    const complete = await store.trackInvocation(skill, { workflowPath: tag })
    const abandoned = index % 5 === 3
    await complete({
      completed: !abandoned,
      errorType: abandoned || index % 11 === 0 ? errors[index % 2] : null,
      followUpActions: index % 3 === 0 ? ['commit', 'commit', tag] : [],
    })
    process.stdout.write(`${tag}\n`)
  }
} finally {
  await store.close()
}
