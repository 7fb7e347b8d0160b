// A writer process for the multi-process tests of the legacy file, through the built package.
import { JsonFileTracker } from '@skill-metrics/json-tracker'
import { writeInvocations } from '@skill-metrics/testing/write-invocations'

const [file, writer, countText] = process.argv.slice(2)
const count = countText === 'forever' ? Number.POSITIVE_INFINITY : Number(countText)
await writeInvocations(new JsonFileTracker({ file }), writer, count)
