import { averageDuration, completionRate } from './aggregates.js'
import {
  type JsonObject,
  type JsonValue,
  type LegacyDocument,
  type LegacyInvocation,
  PyFloat,
  type SkillAggregate,
} from './legacy.js'
import { pyInvocation, pyJson, pySkillRecord, pyString } from './python-json.js'
import { type Summary, summarize } from './summary.js'

/** What a legacy file holds; `invocations` may be produced lazily while it is written. */
export interface LegacyContent {
  invocations: Iterable<LegacyInvocation>
  skills: ReadonlyMap<string, SkillAggregate>
  last_updated: string | null
  extra: ReadonlyArray<readonly [string, JsonValue]>
}

/** The `invocations` list at the depth of the legacy file and the export, piece by piece. */
export function* invocationListPieces(invocations: Iterable<LegacyInvocation>): Generator<string> {
  let empty = true
  for (const invocation of invocations) {
    yield `${empty ? '[' : ','}\n    ${pyInvocation(invocation)}`
    empty = false
  }
  yield empty ? '[]' : '\n  ]'
}

/** The `skills` object, each record as `SkillMetrics.to_dict()` writes it. */
export function* skillObjectPieces(skills: ReadonlyMap<string, SkillAggregate>): Generator<string> {
  let empty = true
  for (const [name, aggregate] of skills) {
    const record = pySkillRecord({
      ...aggregate,
      completion_rate: completionRate(aggregate),
      avg_duration_seconds: averageDuration(aggregate),
    })
    yield `${empty ? '{' : ','}\n    ${pyString(name)}: ${record}`
    empty = false
  }
  yield empty ? '{}' : '\n  }'
}

/**
 * The file in the original's layout, piece by piece. `skills` is read only after every invocation
 * has been produced, so a generator can fill it while its invocations stream out.
 */
export function* legacyFilePieces(content: LegacyContent): Generator<string> {
  yield '{\n  "invocations": '
  yield* invocationListPieces(content.invocations)
  yield ',\n  "skills": '
  yield* skillObjectPieces(content.skills)
  yield `,\n  "last_updated": ${content.last_updated === null ? 'null' : pyString(content.last_updated)}`
  for (const [key, value] of content.extra) yield `,\n  ${pyString(key)}: ${pyJson(value, 1)}`
  yield '\n}'
}

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
