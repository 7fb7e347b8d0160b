import { invocationId } from '@skill-metrics/core'
import { DIALECTS, freshDatabase } from '@skill-metrics/testing/databases'
import { afterEach, describe, expect, it } from 'vitest'
import { SkillMetricsStore } from '../src/store/skill-metrics-store.js'
import type { StoredInvocation } from '../src/store/store-types.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

/** What CSV, COPY's text format or a JSON column could each get wrong, and SQL NULLs. */
const AWKWARD = [
  'comma, separated',
  'say "hi" \'there\'',
  'line one\nline two',
  'carriage\rreturn\r\n',
  'back\\slash and trailing\\',
  '\\N',
  '\\.',
  'tab\there\t',
  'ünïcødé ✓ 🎉 日本語',
  '',
  ' padded ',
]

const records: StoredInvocation[] = AWKWARD.map((text, seq) => ({
  id: invocationId(text, `2025-01-06T14:18:${String(seq).padStart(2, '0')}.5`, text, 0),
  skill_name: text,
  invoked_at: `2025-01-06T14:18:${String(seq).padStart(2, '0')}.5`,
  workflow_path: seq % 3 === 0 ? null : text,
  completed: seq % 2 === 0,
  duration_seconds: seq % 2 === 0 ? [1e-5, -3.25, 0.1 + 0.2, 100.0][seq % 4]! : null,
  follow_up_actions: seq % 2 === 0 ? [text, ...AWKWARD.slice(0, seq)] : [],
  error_type: seq % 4 === 0 ? null : text,
  seq,
  completion_seq: null,
  session_id: null,
}))

describe.each(DIALECTS)('a backfill batch on %s', (dialect) => {
  it('stores awkward text, NULLs and floats exactly as given, and a rerun finds them equal', async () => {
    const db = await freshDatabase(dialect)
    cleanups.push(db.drop)
    const store = await SkillMetricsStore.open({ target: db.target, migrate: true })
    cleanups.unshift(() => store.close())
    const batch = { firstSeq: 0, span: records.length, digest: 'd', records }
    expect(await store.syncBatch(batch)).toMatchObject({ inserted: records.length, updated: 0 })
    const stored = await store.invocationsById(records.map((record) => record.id))
    expect(records.map((record) => stored.get(record.id))).toEqual(records)
    await store.clearBackfillCheckpoints()
    expect(await store.syncBatch(batch)).toMatchObject({
      skipped: false,
      inserted: 0,
      updated: 0,
      unchanged: records.length,
    })
  })
})
