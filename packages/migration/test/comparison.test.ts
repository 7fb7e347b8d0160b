import { SKILL_FIELDS } from '@skill-metrics/core'
import { createDataSource } from '@skill-metrics/db-store'
import type { Migration } from '@skill-metrics/testing/phase-walk'
import { afterEach, describe, expect, it } from 'vitest'
import { validateData } from '../src/backfill/data-validator.js'
import { readMismatches } from '../src/trackers/dual-read-mismatches.js'
import { openTracker } from '../src/trackers/open-tracker.js'
import { smallInDualRead } from './dual-read-support.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

const SKILL = 'type-fixer'

/** Stored values of one skill changed behind the trackers' backs, and what each should make of it. */
const CHANGES: Array<{ name: string; set: string; differs: string[] }> = [
  { name: 'nothing', set: 'skill_name = skill_name', differs: [] },
  {
    name: 'a duration sum summed in another order (within 1e-9)',
    set: 'total_duration_seconds = total_duration_seconds * (1 + 1e-12)',
    differs: [],
  },
  {
    name: 'a duration sum off by a second',
    set: 'total_duration_seconds = total_duration_seconds + 1',
    differs: ['total_duration_seconds'],
  },
  {
    name: 'a count',
    set: 'total_invocations = total_invocations + 5',
    differs: ['total_invocations'],
  },
  {
    name: 'a timestamp',
    set: "first_invoked = '2000-01-01T00:00:00'",
    differs: ['first_invoked'],
  },
  { name: 'a counter map', set: "workflow_paths = '{}'", differs: ['workflow_paths'] },
]

async function change({ target }: Migration, set: string) {
  const source = await (await createDataSource(target)).initialize()
  try {
    await source.query(`UPDATE skill_metrics SET ${set} WHERE skill_name = '${SKILL}'`)
  } finally {
    await source.destroy()
  }
}

/** The aggregate fields `data validate` reports as differing for the skill. */
async function validatorVerdicts(migration: Migration): Promise<string[]> {
  const report = await validateData(migration)
  const skill = report.skills.mismatched.find((mismatch) => mismatch.name === SKILL)
  return (skill?.diffs ?? []).map((diff) => diff.field)
}

/** The aggregate fields a dual-read of the skill records as differing. */
async function dualReadVerdicts({ jsonFile, target }: Migration): Promise<string[]> {
  const tracker = await openTracker({ jsonFile, db: target })
  try {
    await tracker.getSkillMetrics(SKILL)
  } finally {
    await tracker.close()
  }
  const [mismatch] = await readMismatches(jsonFile)
  return (mismatch?.diffs ?? []).map((diff) => diff.field)
}

const aggregateFields = (fields: string[]) => SKILL_FIELDS.filter((field) => fields.includes(field))

describe('one comparison: the validator and dual-read agree on every aggregate field', () => {
  it.each(CHANGES)('stored data with $name changed', async ({ set, differs }) => {
    const migration = await smallInDualRead('sqlite')
    cleanups.push(migration.db.drop)
    await change(migration, set)

    const validator = aggregateFields(await validatorVerdicts(migration))
    const dualRead = aggregateFields(await dualReadVerdicts(migration))

    expect(validator).toEqual(differs)
    expect(dualRead).toEqual(validator)
  })
})
