// A writer process for the store's multi-process tests, through the built package.
import { parseDatabaseUrl, SkillMetricsStore } from '@skill-metrics/db-store'
import { writeInvocations } from '@skill-metrics/testing/write-invocations'

const [url, writer, countText] = process.argv.slice(2)
const store = await SkillMetricsStore.open({ target: parseDatabaseUrl(url) })
try {
  await writeInvocations(store, writer, Number(countText))
} finally {
  await store.close()
}
