import { readFile } from 'node:fs/promises'
import { RefusedError } from '@skill-metrics/core'
import { JsonFileTracker, loadLegacyFile, readWriterState } from '@skill-metrics/json-tracker'
import { fixturePath } from '@skill-metrics/testing/fixtures'
import { ForeignWriter } from '@skill-metrics/testing/foreign-writer'
import { expectAggregatesMatchRecords } from '@skill-metrics/testing/legacy-checks'
import { inDualWrite, type Migration } from '@skill-metrics/testing/phase-walk'
import { afterEach, describe, expect, it } from 'vitest'
import { migrateData } from '../src/backfill/data-migrator.js'
import { runValidation, validateData } from '../src/backfill/data-validator.js'
import { cleanup } from '../src/operations/cleanup.js'
import { cutover } from '../src/operations/cutover.js'
import { checkHealth } from '../src/operations/health.js'
import { rollback } from '../src/operations/rollback.js'
import { migrationStatus, nextCommand } from '../src/operations/status.js'
import { dualReadGuard } from '../src/phases/guards.js'
import { transition } from '../src/phases/transition.js'
import { readMisses } from '../src/trackers/dual-write-misses.js'
import { DualWriteTracker } from '../src/trackers/dual-write-tracker.js'
import { openTracker } from '../src/trackers/open-tracker.js'

// The original Python tracker keeps running during a migration: it loads the file once, takes no
// lock and saves its whole state on every completion. These scenarios drive a real Python process
// written that way (packages/testing/python/foreign_writer.py) against the migration.

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

async function start(dialect: 'sqlite' | 'postgres') {
  const migration = await inDualWrite(dialect, fixturePath('small'))
  cleanups.push(migration.db.drop)
  const tracker = await openTracker({ jsonFile: migration.jsonFile, db: migration.target })
  cleanups.unshift(() => tracker.close())
  const track = async (skill: string, tag: string) =>
    (await tracker.trackInvocation(skill, { workflowPath: tag }))()
  return { migration, track }
}

async function foreignWriter(jsonFile: string) {
  const writer = await ForeignWriter.start(jsonFile)
  cleanups.unshift(() => writer.quit())
  return writer
}

const toDualRead = (migration: Migration, options: { force?: boolean; reason?: string } = {}) =>
  transition({
    jsonFile: migration.jsonFile,
    target: migration.target,
    to: 'dual-read',
    from: ['migrated'],
    guard: dualReadGuard,
    ...options,
  })

/**
 * The legacy file holds each tag exactly once and its aggregates equal those recomputed from its
 * records; the small fixture's own records are all still there.
 */
async function expectFileTruth(jsonFile: string, tags: string[]) {
  const file = await loadLegacyFile(jsonFile)
  const fixture = await loadLegacyFile(fixturePath('small'))
  const count = (tag: string) =>
    file.invocations.filter((invocation) => invocation.workflow_path === tag).length
  expect(Object.fromEntries(tags.map((tag) => [tag, count(tag)]))).toEqual(
    Object.fromEntries(tags.map((tag) => [tag, 1])),
  )
  expect(file.invocations.length).toBe(fixture.invocations.length + tags.length)
  expectAggregatesMatchRecords(file.invocations, file.skills, 'concurrent')
}

/**
 * The scenarios on one dialect: `pnpm test` walks them on SQLite (foreign-writer.test.ts), the
 * soak suite on PostgreSQL too (foreign-writer.soak.test.ts), so CI runs both.
 */
export function describeForeignWriterScenarios(dialect: 'sqlite' | 'postgres') {
  describe(`a foreign writer on ${dialect}`, () => {
    it('dual-write: its invocations are migrated, and the guard opens after a clean validation that started after its last save', async () => {
      const { migration, track } = await start(dialect)
      await track('ours', 'ours-0')
      await migrateData(migration)
      const python = await foreignWriter(migration.jsonFile)
      for (let index = 0; index < 5; index += 1) await python.append('python-skill', `py-${index}`)
      await python.quit()
      expect(await migrateData(migration)).toMatchObject({ inserted: 5, restored: [] })
      const validated = await runValidation(migration)
      expect(validated.report.clean).toBe(true)
      expect(validated.advanced).toMatchObject({ to: 'migrated' })
      // Our next writer notices the foreign save only now, after the validation: it is dated by
      // the file's modification time, not by when it was noticed.
      await track('ours', 'ours-1')
      const noticed = (await readWriterState(migration.jsonFile))!.foreign_writes.at(-1)!
      expect(noticed.modified_at! < noticed.detected_at).toBe(true)
      expect(await toDualRead(migration)).toMatchObject({ to: 'dual-read' })
      await expectFileTruth(migration.jsonFile, ['ours-0', 'ours-1', ...python.saved])
      expect((await validateData(migration)).clean).toBe(true)
    })

    it('a save after the last clean validation keeps dual-read closed, says how to open it, and --force --reason passes it', async () => {
      const { migration, track } = await start(dialect)
      await track('ours', 'ours-0')
      await migrateData(migration)
      expect((await runValidation(migration)).advanced).toMatchObject({ to: 'migrated' })
      const python = await foreignWriter(migration.jsonFile)
      await python.append('python-skill', 'py-late')
      const refused = await toDualRead(migration).catch((error: unknown) => error)
      expect(refused).toBeInstanceOf(RefusedError)
      expect((refused as Error).message).toMatch(
        /foreign write\(s\) to .* the last at .*opens once a full validation that starts after it.*skill-metrics data migrate, then skill-metrics data validate/,
      )
      expect((refused as RefusedError).nextStep).toContain('--force --reason')
      await python.quit()
      // The way the refusal names: the records join the database, a validation started after the
      // save finds it equal, and the guard opens.
      expect(await migrateData(migration)).toMatchObject({ inserted: 1 })
      expect((await runValidation(migration)).report.clean).toBe(true)
      expect(await toDualRead(migration)).toMatchObject({ to: 'dual-read', forced: false })
      await expectFileTruth(migration.jsonFile, ['ours-0', 'py-late'])
    })

    it('a forced dual-read past a foreign save is recorded with its reason', async () => {
      const { migration, track } = await start(dialect)
      await track('ours', 'ours-0')
      await migrateData(migration)
      await runValidation(migration)
      const python = await foreignWriter(migration.jsonFile)
      await python.append('python-skill', 'py-late')
      await python.quit()
      expect(
        await toDualRead(migration, { force: true, reason: 'the Python tool was stopped' }),
      ).toMatchObject({ to: 'dual-read', forced: true })
    })

    it('an invocation a foreign save erased from the file is put back by data migrate, and validation is clean again', async () => {
      const { migration, track } = await start(dialect)
      await track('ours', 'ours-0')
      await migrateData(migration)
      const python = await foreignWriter(migration.jsonFile)
      // Tracked after the Python process loaded the file: its next save erases it.
      await track('ours-new-skill', 'ours-1')
      await python.append('python-skill', 'py-1')
      const erased = await loadLegacyFile(migration.jsonFile)
      expect(erased.invocations.some((record) => record.workflow_path === 'ours-1')).toBe(false)
      expect(erased.skills.has('ours-new-skill')).toBe(false)

      // The database's extra skill is reported as exactly that: no false position differences.
      const before = await validateData(migration)
      expect(before.clean).toBe(false)
      expect(before.skills.extra).toEqual(['ours-new-skill'])
      expect(before.invocations.extra).toHaveLength(1)
      const fields = before.skills.mismatched.flatMap(({ diffs }) =>
        diffs.map((diff) => diff.field),
      )
      expect(fields).not.toContain('position')

      const repaired = await migrateData(migration)
      expect(repaired.inserted).toBe(1)
      expect(repaired.restored).toMatchObject([
        {
          kind: 'restored',
          skill_name: 'ours-new-skill',
          workflow_path: 'ours-1',
          previous_id: null,
        },
      ])
      expect(repaired.restored[0]!.id).toBe(before.invocations.extra[0])
      const file = await loadLegacyFile(migration.jsonFile)
      expect(file.invocations.at(-1)).toMatchObject({ workflow_path: 'ours-1', completed: true })
      expect([...file.skills.keys()].at(-1)).toBe('ours-new-skill')

      const validated = await runValidation(migration)
      expect(validated.report.clean).toBe(true)
      expect(validated.report.restored.map((repair) => repair.workflow_path)).toEqual(['ours-1'])
      expect(
        (await migrationStatus(migration.jsonFile, migration.target)).foreignRepairs,
      ).toMatchObject({ restored: 1, imported: 0 })
      await python.quit()
      expect(await toDualRead(migration)).toMatchObject({ to: 'dual-read', forced: false })
      await expectFileTruth(migration.jsonFile, ['ours-0', 'ours-1', 'py-1'])
    })

    it('an invocation only the file had (the database missed it) and a foreign save erased comes back from the miss log', async () => {
      const { migration, track } = await start(dialect)
      await track('ours', 'ours-0')
      await migrateData(migration)
      const python = await foreignWriter(migration.jsonFile)
      // The database is unreachable for this one write: dual-write records a miss, the file has it.
      const down = new DualWriteTracker(
        new JsonFileTracker({ file: migration.jsonFile }),
        () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1')),
        500,
      )
      cleanups.unshift(() => down.close())
      await (await down.trackInvocation('ours', { workflowPath: 'ours-missed' }))()
      expect((await readMisses(migration.jsonFile)).length).toBeGreaterThan(0)
      await python.append('python-skill', 'py-1')
      const erased = await loadLegacyFile(migration.jsonFile)
      expect(erased.invocations.some((record) => record.workflow_path === 'ours-missed')).toBe(
        false,
      )

      const repaired = await migrateData(migration)
      expect(repaired.restored.map((repair) => repair.workflow_path)).toEqual(['ours-missed'])
      expect(await readMisses(migration.jsonFile)).toEqual([])
      expect((await runValidation(migration)).report.clean).toBe(true)
      await python.quit()
      await expectFileTruth(migration.jsonFile, ['ours-0', 'ours-missed', 'py-1'])
    })

    it('a completion a foreign save turned back to pending is put back, not taken from the database', async () => {
      const { migration, track } = await start(dialect)
      await track('ours', 'ours-0')
      await migrateData(migration)
      const tracker = await openTracker({ jsonFile: migration.jsonFile, db: migration.target })
      cleanups.unshift(() => tracker.close())
      const complete = await tracker.trackInvocation('ours', { workflowPath: 'ours-pending' })
      // The Python process loads the file while our invocation is pending there...
      const python = await foreignWriter(migration.jsonFile)
      await complete({ completed: true, followUpActions: ['git commit'] })
      // ...and its save turns it back to pending.
      await python.append('python-skill', 'py-1')
      const saved = await loadLegacyFile(migration.jsonFile)
      expect(
        saved.invocations.find((record) => record.workflow_path === 'ours-pending'),
      ).toMatchObject({ completed: false, duration_seconds: null })

      const repaired = await migrateData(migration)
      expect(repaired.restored).toMatchObject([
        { workflow_path: 'ours-pending', completed: true, completion_only: true },
      ])
      const file = await loadLegacyFile(migration.jsonFile)
      expect(
        file.invocations.find((record) => record.workflow_path === 'ours-pending'),
      ).toMatchObject({ completed: true, follow_up_actions: ['git commit'] })
      expect((await runValidation(migration)).report.clean).toBe(true)
      await python.quit()
      await expectFileTruth(migration.jsonFile, ['ours-0', 'ours-pending', 'py-1'])
    })

    it('after cutover: a foreign save fails health until data migrate imports it, and rollback imports before it regenerates', async () => {
      const { migration, track } = await start(dialect)
      await track('ours', 'ours-0')
      await migrateData(migration)
      await runValidation(migration)
      await toDualRead(migration)
      await cutover(migration)
      const python = await foreignWriter(migration.jsonFile)
      await track('ours', 'ours-db-1')
      await python.append('python-skill', 'py-after-1')

      const health = await checkHealth(migration)
      expect(health.ok).toBe(false)
      const failed = health.checks.filter((check) => !check.ok)
      expect(failed.map((check) => check.name)).toEqual(['legacy file unchanged since cutover'])
      expect(failed[0]!.detail).toMatch(
        /changed by a writer that is not skill-metrics.*data migrate/,
      )
      const status = await migrationStatus(migration.jsonFile, migration.target)
      expect(status.legacy.afterCutover).toMatchObject({ ok: false })
      expect(nextCommand(status)).toMatch(/data migrate/)
      await expect(cleanup({ ...migration, retentionDays: 0 })).rejects.toThrow(
        /legacy file|changed by a writer/,
      )
      // Archiving the file now would take its additions out of sight: --force does not pass it.
      await expect(
        cleanup({ ...migration, retentionDays: 0, force: true, reason: 'in a hurry' }),
      ).rejects.toThrow(/changed by a writer that is not skill-metrics/)

      const imported = await migrateData(migration)
      expect(imported.imported).toMatchObject([
        { kind: 'imported', skill_name: 'python-skill', workflow_path: 'py-after-1' },
      ])
      expect((await checkHealth(migration)).ok).toBe(true)
      // Importing again finds nothing new: the database is the truth, nothing in it changed.
      expect((await migrateData(migration)).imported).toEqual([])

      await python.append('python-skill', 'py-after-2')
      const rolledBack = await rollback(migration)
      expect(rolledBack.imported.map((repair) => repair.workflow_path)).toEqual(['py-after-2'])
      await python.quit()
      await expectFileTruth(migration.jsonFile, ['ours-0', 'ours-db-1', 'py-after-1', 'py-after-2'])
      await migrateData(migration)
      expect((await runValidation(migration)).report.clean).toBe(true)
      const backup = await readFile(rolledBack.backup!.path, 'utf8')
      expect(backup).toContain('py-after-2')
    })
  })
}
