import { copyFile, mkdtemp, readdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LegacyInvocation } from '@skill-metrics/core'
import { readMetrics } from '@skill-metrics/json-tracker'
import { DIALECTS } from '@skill-metrics/testing/databases'
import { fixturePath } from '@skill-metrics/testing/fixtures'
import { inDualWrite } from '@skill-metrics/testing/phase-walk'
import { afterEach, describe, expect, it } from 'vitest'
import { migrateData } from '../src/backfill/data-migrator.js'
import { runValidation } from '../src/backfill/data-validator.js'
import { reportModelOf } from '../src/operations/report-model.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

describe('the report model', () => {
  it('from the legacy file: the skills as `metrics`, per-day counts adding up to them, the most used first', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'sm-report-'))
    const jsonFile = join(folder, 'skill_metrics.json')
    await copyFile(fixturePath('medium'), jsonFile)
    const db = {
      dialect: 'sqlite' as const,
      path: join(folder, 'never.db'),
      inMemory: false,
      display: 'never.db',
    }
    const model = await reportModelOf({ jsonFile, db, source: 'json' })
    const metrics = await readMetrics(jsonFile)
    expect(model.skills.map((skill) => skill.name)).toEqual([...metrics.keys()])
    for (const skill of model.skills) {
      const expected = metrics.get(skill.name)!
      expect(skill).toMatchObject({
        invocations: expected.total_invocations,
        completed: expected.completed_invocations,
        abandoned: expected.abandoned_invocations,
        completionRate: expected.completion_rate,
        p50: expected.p50_duration_seconds,
        p95: expected.p95_duration_seconds,
        p99: expected.p99_duration_seconds,
      })
    }
    // Each skill's error types are those of its abandoned runs only, counted from the records.
    const { invocations } = JSON.parse(await readFile(jsonFile, 'utf8')) as {
      invocations: LegacyInvocation[]
    }
    for (const skill of model.skills) {
      const counted = new Map<string, number>()
      for (const run of invocations) {
        if (run.skill_name !== skill.name || run.completed || run.duration_seconds === null)
          continue
        if (run.error_type) counted.set(run.error_type, (counted.get(run.error_type) ?? 0) + 1)
      }
      expect(new Map(skill.errors)).toEqual(counted)
    }
    expect(model.skills.some((skill) => skill.errors.length > 0)).toBe(true)
    const days = model.perDay.map(({ day }) => day)
    expect(days).toEqual([...days].sort())
    expect(days.every((day) => /^\d{4}-\d{2}-\d{2}$/.test(day))).toBe(true)
    const perDay = (field: 'completed' | 'abandoned') =>
      model.perDay.reduce((total, day) => total + day[field], 0)
    expect(perDay('completed')).toBe(model.totals.completed)
    expect(perDay('abandoned')).toBe(model.totals.abandoned)
    expect(model.totals.invocations).toBe(model.totals.completed + model.totals.abandoned)
    const counts = model.workflowPaths.map(([, count]) => count)
    expect(counts).toEqual([...counts].sort((a, b) => b - a))
    expect(model.migration).toBeNull()
    // A report reads; it creates no database.
    expect(await readdir(folder)).toEqual(['skill_metrics.json'])
  })

  describe.each(DIALECTS)('on %s', (dialect) => {
    it('from the database: the same numbers as from the file, and the migration panel', async () => {
      const migration = await inDualWrite(dialect, fixturePath('medium'))
      cleanups.push(migration.db.drop)
      await migrateData(migration)
      await runValidation(migration)
      const options = { jsonFile: migration.jsonFile, db: migration.target }
      const fromFile = await reportModelOf({ ...options, source: 'json' })
      const fromDatabase = await reportModelOf({ ...options, source: 'db' })
      expect(fromDatabase.skills).toEqual(fromFile.skills)
      expect(fromDatabase.perDay).toEqual(fromFile.perDay)
      expect(fromDatabase.workflowPaths).toEqual(fromFile.workflowPaths)
      const panel = fromDatabase.migration!
      // The clean validation moved it on to migrated; the history is newest first.
      expect(panel.phase).toBe('migrated')
      expect(panel.history.map(({ from, to }) => `${from}→${to}`)).toEqual([
        'dual-write→migrated',
        'json-only→dual-write',
      ])
      expect(panel.history.every(({ forced }) => !forced)).toBe(true)
      expect(panel.validations[0]?.clean).toBe(true)
      // Only cutover backs the file up.
      expect(panel.backups).toEqual([])
      expect(panel).toMatchObject({ dualWriteMisses: 0, dualReadMismatches: 0, archive: null })
    })
  })
})
