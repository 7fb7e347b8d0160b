import {
  InvocationIdAssigner,
  type LegacyContent,
  type LegacyInvocation,
  legacyFilePieces,
} from '@skill-metrics/core'
import { loadLegacyFile } from '@skill-metrics/json-tracker'
import {
  legacyRecordOf,
  type SkillMetricsStore,
  type UpsertResult,
} from '../store/skill-metrics-store.js'

/** Imports a legacy file through the store's bulk operations (what the backfill will do). */
export async function importLegacy(store: SkillMetricsStore, file: string): Promise<UpsertResult> {
  const document = await loadLegacyFile(file)
  const ids = new InvocationIdAssigner()
  const records = document.invocations.map((invocation: LegacyInvocation, seq: number) => ({
    ...invocation,
    id: ids.next(invocation),
    seq,
    completion_seq: null,
    session_id: null,
  }))
  const result = await store.upsertInvocations(records)
  await store.setSkillAggregates(
    [...document.skills].map(([name, aggregate], position) => ({ name, position, aggregate })),
  )
  return result
}

/** The legacy file the database holds, in the file's order. */
export async function regenerateLegacy(
  store: SkillMetricsStore,
  lastUpdated: string,
): Promise<string> {
  const invocations: LegacyInvocation[] = []
  for await (const invocation of store.invocations()) invocations.push(legacyRecordOf(invocation))
  const content: LegacyContent = {
    invocations,
    skills: await store.skillAggregates(),
    last_updated: lastUpdated,
    extra: [],
  }
  return [...legacyFilePieces(content)].join('')
}
