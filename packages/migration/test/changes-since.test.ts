import { SkillMetricsStore } from '@skill-metrics/db-store'
import { DIALECTS } from '@skill-metrics/testing/databases'
import type { Migration } from '@skill-metrics/testing/phase-walk'
import { afterEach, describe, expect, it } from 'vitest'
import { syncChangesSince } from '../src/backfill/changes-since.js'
import { runValidation } from '../src/backfill/data-validator.js'
import { recordInvocation } from '../src/trackers/open-tracker.js'
import { smallInDualRead } from './dual-read-support.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

/**
 * A comparison reads the file, then counts the database: a dual-write copy landing in between is
 * a record the database holds beyond the file's snapshot. With many writers one almost always
 * does, and treating it as a difference sent every freeze to the whole file (the 1M PostgreSQL
 * smoke with 8 writers passed the 5 s freeze bound that way).
 */
describe.each(DIALECTS)('changes since a comparison on %s', (dialect) => {
  async function inDualRead(): Promise<{ migration: Migration; store: SkillMetricsStore }> {
    const migration = await smallInDualRead(dialect)
    cleanups.push(migration.db.drop)
    const store = await SkillMetricsStore.open({ target: migration.target })
    cleanups.unshift(() => store.close())
    return { migration, store }
  }

  it('a record the database holds beyond the snapshot, written by our writers since, is synced and compared, not a difference', async () => {
    const { migration, store } = await inDualRead()
    const { report: earlier } = await runValidation(migration)
    expect(earlier.clean).toBe(true)
    await recordInvocation(
      { jsonFile: migration.jsonFile, db: migration.target },
      'late',
      { workflowPath: 'in-flight' },
      { durationSeconds: 1 },
    )
    let lateId = ''
    for await (const stored of store.invocations()) {
      if (stored.skill_name === 'late') lateId = stored.id
    }
    expect(lateId).not.toBe('')
    // What the comparison would have reported, had the copy landed between its two reads.
    const withExtra = {
      ...earlier,
      clean: false,
      invocations: { ...earlier.invocations, extra: [lateId] },
      skills: { ...earlier.skills, extra: ['late'] },
    }
    const changed = await syncChangesSince(
      store,
      { jsonFile: migration.jsonFile, sync: true },
      withExtra,
    )
    expect(changed?.report.clean).toBe(true)
    expect(changed?.report.invocations.compared).toBe(1)

    // Without a sync (the validator's recheck) too: at a million invocations the whole file's
    // comparison held the writers' lock past their 30 s bound.
    const rechecked = await syncChangesSince(
      store,
      { jsonFile: migration.jsonFile, sync: false },
      withExtra,
    )
    expect(rechecked?.report.clean).toBe(true)
    expect(rechecked?.report.invocations.compared).toBe(1)

    // An extra record no writer of ours wrote since is still a difference only the whole file shows.
    const unknown = { ...withExtra, invocations: { ...withExtra.invocations, extra: ['not-ours'] } }
    expect(
      await syncChangesSince(store, { jsonFile: migration.jsonFile, sync: true }, unknown),
    ).toBeNull()
    const oldSkill = {
      ...withExtra,
      skills: { ...withExtra.skills, extra: [...earlier.skills.extra, 'never-written'] },
    }
    expect(
      await syncChangesSince(store, { jsonFile: migration.jsonFile, sync: true }, oldSkill),
    ).toBeNull()
  })
})
