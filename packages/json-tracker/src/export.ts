import {
  type JsonObject,
  type JsonValue,
  type LegacyDocument,
  PyFloat,
  type Summary,
  summarize,
} from '@skill-metrics/core'
import { invocationListPieces, skillObjectPieces } from './legacy-writer.js'
import { pyJson, pyString } from './python-json.js'

/** The summary with Python's number types, so `json.dumps` and our encoder print it alike. */
export function summaryToJson(summary: Summary): JsonObject {
  const value = new Map<string, JsonValue>([
    ['total_skills', summary.total_skills],
    ['total_invocations', summary.total_invocations],
    ['overall_completion_rate', new PyFloat(summary.overall_completion_rate)],
    ['most_used_skill', summary.most_used_skill],
  ])
  if ('skills_by_usage' in summary) value.set('most_used_count', summary.most_used_count)
  value.set('avg_duration_seconds', new PyFloat(summary.avg_duration_seconds))
  if ('skills_by_usage' in summary) value.set('skills_by_usage', summary.skills_by_usage)
  return value
}

/** The original's `export_metrics` layout: summary, skills, invocations, exported_at. */
export function* exportPieces(document: LegacyDocument, exportedAt: string): Generator<string> {
  yield `{\n  "summary": ${pyJson(summaryToJson(summarize(document.skills)), 1)},\n  "skills": `
  yield* skillObjectPieces(document.skills)
  yield ',\n  "invocations": '
  yield* invocationListPieces(document.invocations)
  yield `,\n  "exported_at": ${pyString(exportedAt)}\n}`
}
