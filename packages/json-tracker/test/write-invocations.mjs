// What every writer process of the multi-process tests does, whatever tracker it writes to: tracks
// `count` invocations (some abandoned, some with errors and follow-ups) and prints one line per
// invocation whose completer returned, so a parent that kills it knows which writes must be found.
const skills = ['review', 'refactor', '7', 'naïve ✓', 'emoji 🎉']
const errors = ['TimeoutError', 'ValueError']

export async function writeInvocations(tracker, writer, count) {
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
}
