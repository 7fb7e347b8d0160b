import { type LegacyContent, type LegacyInvocation, legacyFilePieces } from '@skill-metrics/core'
import {
  importLegacyDocument,
  legacyRecordOf,
  type SkillMetricsStore,
  type UpsertResult,
} from '@skill-metrics/db-store'
import { loadLegacyFile } from '@skill-metrics/json-tracker'

/** Imports a legacy file through the store's bulk operations (what the backfill will do). */
export async function importLegacy(store: SkillMetricsStore, file: string): Promise<UpsertResult> {
  return importLegacyDocument(store, await loadLegacyFile(file))
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
