import { InvocationIdAssigner, type LegacyDocument } from '@skill-metrics/core'
import { storedRecordOf } from './invocation-rows.js'
import type { SkillMetricsStore } from './skill-metrics-store.js'
import type { UpsertResult } from './store-types.js'

/**
 * Imports a whole legacy document through the bulk operations: ids from the file's order,
 * positions from it, aggregates exactly the file's. Replaying it changes nothing.
 */
export async function importLegacyDocument(
  store: SkillMetricsStore,
  document: Pick<LegacyDocument, 'invocations' | 'skills'>,
): Promise<UpsertResult> {
  const ids = new InvocationIdAssigner()
  const result = await store.upsertInvocations(
    document.invocations.map((invocation, seq) =>
      storedRecordOf(invocation, ids.next(invocation), seq),
    ),
  )
  await store.setSkillAggregates(
    [...document.skills].map(([name, aggregate], position) => ({ name, position, aggregate })),
  )
  return result
}
