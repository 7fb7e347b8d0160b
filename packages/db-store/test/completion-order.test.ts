import { DIALECTS, freshDatabase } from '@skill-metrics/testing/databases'
import { afterEach, describe, expect, it } from 'vitest'
import { SkillMetricsStore } from '../src/store/skill-metrics-store.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

// Two dual-writers release the file's lock in one order and may commit to the database in the
// other: the completion sequence the file gave each decides, not the commit order.
describe.each(DIALECTS)('completions that reach %s out of the file’s order', (dialect) => {
  it('keep the file’s last_invoked, first_invoked and counter-map order', async () => {
    const db = await freshDatabase(dialect)
    cleanups.push(db.drop)
    const store = await SkillMetricsStore.open({ target: db.target, migrate: true })
    cleanups.unshift(() => store.close())
    const start = async (invokedAt: string, workflowPath: string) =>
      (await store.startInvocation('review', { invokedAt, workflowPath })).id
    const first = await start('2026-01-01T10:00:00', 'early')
    const second = await start('2026-01-01T10:00:01', 'late')
    // The file completed `first` (sequence 1) before `second` (2); the database sees 2 first.
    await store.completeInvocation(second, {
      durationSeconds: 2,
      errorType: 'Late',
      followUpActions: ['b'],
      completionSeq: 2,
    })
    await store.completeInvocation(first, {
      durationSeconds: 1,
      errorType: 'Early',
      followUpActions: ['a'],
      completionSeq: 1,
    })
    const review = (await store.skillAggregates()).get('review')!
    expect([...review.workflow_paths.keys()]).toEqual(['early', 'late'])
    expect([...review.common_errors.keys()]).toEqual(['Early', 'Late'])
    expect([...review.follow_up_actions.keys()]).toEqual(['a', 'b'])
    expect(review.first_invoked).toBe('2026-01-01T10:00:00')
    expect(review.last_invoked).toBe('2026-01-01T10:00:01')
    expect(review.total_invocations).toBe(2)

    // In order again, nothing moves.
    const third = await start('2026-01-01T10:00:02', 'latest')
    await store.completeInvocation(third, { durationSeconds: 3, completionSeq: 3 })
    const after = (await store.skillAggregates()).get('review')!
    expect([...after.workflow_paths.keys()]).toEqual(['early', 'late', 'latest'])
    expect(after.last_invoked).toBe('2026-01-01T10:00:02')
  })
})
