import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { InconsistencyError, RefusedError } from '@skill-metrics/core'
import { createDataSource, PhaseStore } from '@skill-metrics/db-store'
import { JsonFileTracker, loadLegacyFile } from '@skill-metrics/json-tracker'
import { DIALECTS } from '@skill-metrics/testing/databases'
import type { Migration } from '@skill-metrics/testing/phase-walk'
import { afterEach, describe, expect, it } from 'vitest'
import { migrateData } from '../src/backfill/data-migrator.js'
import { runValidation } from '../src/backfill/data-validator.js'
import { cleanup } from '../src/operations/cleanup.js'
import { cutover } from '../src/operations/cutover.js'
import { rollback } from '../src/operations/rollback.js'
import { migrationStatus } from '../src/operations/status.js'
import { readPhaseCopy } from '../src/phases/phase-copy.js'
import { openTracker } from '../src/trackers/open-tracker.js'
import { corrupt, smallInDualRead } from './dual-read-support.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

async function inDualRead(dialect: 'sqlite' | 'postgres'): Promise<Migration> {
  const migration = await smallInDualRead(dialect)
  cleanups.push(migration.db.drop)
  return migration
}

async function phaseOf({ target }: Migration) {
  const store = await PhaseStore.open(target)
  try {
    return { ...(await store.state()), history: await store.history(1) }
  } finally {
    await store.close()
  }
}

/** The phase in the database, the copy beside the file, and the file's bytes: what "nothing changed" means. */
async function snapshot(migration: Migration) {
  const { phase, epoch } = await phaseOf(migration)
  return {
    phase,
    epoch,
    copy: await readPhaseCopy(migration.jsonFile),
    file: await readFile(migration.jsonFile),
  }
}

describe.each(DIALECTS)('cutover on %s', (dialect) => {
  it('moves dual-read to db-primary with a verified backup; a rerun changes nothing; writers then go to the database only', async () => {
    const migration = await inDualRead(dialect)
    const before = await snapshot(migration)

    const dry = await cutover({ ...migration, dryRun: true })
    expect(dry).toMatchObject({ dryRun: true, moved: false, epoch: before.epoch + 1 })
    expect(await snapshot(migration)).toEqual(before)

    const result = await cutover(migration)
    expect(result).toMatchObject({ from: 'dual-read', to: 'db-primary', moved: true })
    expect(result.health.every((check) => check.ok)).toBe(true)
    const manifest = await readFile(result.backup!.manifest, 'utf8')
    const { createHash } = await import('node:crypto')
    const sha256 = createHash('sha256')
      .update(await readFile(result.backup!.path))
      .digest('hex')
    expect(manifest).toMatch(new RegExp(`^${sha256}  skill_metrics\\.json\\.backup-`))
    expect(await readFile(result.backup!.path)).toEqual(before.file)
    expect(await phaseOf(migration)).toMatchObject({ phase: 'db-primary', epoch: result.epoch })
    expect(await readPhaseCopy(migration.jsonFile)).toMatchObject({
      phase: 'db-primary',
      epoch: result.epoch,
      transitioning: false,
    })

    expect(await cutover(migration)).toMatchObject({ moved: false, from: 'db-primary' })

    const tracker = await openTracker({ jsonFile: migration.jsonFile, db: migration.target })
    cleanups.unshift(() => tracker.close())
    await (await tracker.trackInvocation('after-cutover'))()
    expect((await tracker.getSkillMetrics('after-cutover'))?.total_invocations).toBe(1)
    expect(await readFile(migration.jsonFile)).toEqual(before.file)
  })

  it('refuses while a dual-read mismatch is unresolved, and goes once it is repaired', async () => {
    const migration = await inDualRead(dialect)
    await corrupt(migration, 'type-fixer')
    const tracker = await openTracker({ jsonFile: migration.jsonFile, db: migration.target })
    await tracker.getSkillMetrics('type-fixer')
    await tracker.close()
    const before = await snapshot(migration)
    const refused = await cutover(migration).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(RefusedError)
    expect((refused as RefusedError).exitCode).toBe(4)
    expect((refused as Error).message).toMatch(/dual-read mismatch/)
    expect(await snapshot(migration)).toEqual(before)
    expect((await phaseOf(migration)).history[0]!.result).toMatch(/^refused: /)

    await migrateData(migration)
    expect((await runValidation(migration)).report.clean).toBe(true)
    expect(await cutover(migration)).toMatchObject({ moved: true })
  })

  it('refuses after a foreign writer rewrote the file, and status says so', async () => {
    const migration = await inDualRead(dialect)
    const tracker = await openTracker({ jsonFile: migration.jsonFile, db: migration.target })
    await (await tracker.trackInvocation('ours'))()
    await tracker.close()
    // A plain rewrite that skips the lock, as the original Python tracker does.
    const document = JSON.parse(await readFile(migration.jsonFile, 'utf8'))
    document.last_updated = '2030-01-01T00:00:00'
    await writeFile(migration.jsonFile, JSON.stringify(document, null, 2))
    const status = await migrationStatus(migration.jsonFile, migration.target)
    expect(status.legacy.foreignWrites.length).toBeGreaterThan(0)
    const refused = await cutover(migration).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(RefusedError)
    expect((refused as Error).message).toMatch(/not skill-metrics/)
    expect((await phaseOf(migration)).phase).toBe('dual-read')
  })

  it('a freeze that cannot finish in time changes nothing and says why', async () => {
    const migration = await inDualRead(dialect)
    const before = await snapshot(migration)
    const failed = await cutover({ ...migration, freezeTimeoutMs: 1 }).catch(
      (error: unknown) => error,
    )
    expect(failed).toBeInstanceOf(RefusedError)
    expect((failed as Error).message).toMatch(/--freeze-timeout/)
    const after = await snapshot(migration)
    expect({ ...after, file: undefined }).toEqual({ ...before, file: undefined })
    expect((await phaseOf(migration)).history[0]!.result).toMatch(/^failed: the freeze/)
    // The freeze is over: writers go on in dual-read.
    const writer = new JsonFileTracker({ file: migration.jsonFile })
    await (await writer.trackInvocation('still-dual-read'))()
  })

  it('a freeze syncs and compares only what our writers changed since the bulk validation', async () => {
    const migration = await inDualRead(dialect)
    const fileOnly = new JsonFileTracker({ file: migration.jsonFile })
    const result = await cutover({
      ...migration,
      // Between the bulk validation and the freeze: writes the database has not seen yet (a
      // dual-write's database half still in flight).
      onStep: async (step) => {
        if (step !== 'freeze') return
        await (await fileOnly.trackInvocation('in-flight', { workflowPath: 'quick' }))()
        await fileOnly.trackInvocation('in-flight')
      },
    })
    const records = (await loadLegacyFile(migration.jsonFile)).invocations.length
    expect(result.freeze).toMatchObject({ changesOnly: true, inserted: 2, validated: 2 })
    expect(result.bulk!.validated).toBe(records - 2)
    const tracker = await openTracker({ jsonFile: migration.jsonFile, db: migration.target })
    cleanups.unshift(() => tracker.close())
    expect(await tracker.getSkillMetrics('in-flight')).toMatchObject({
      total_invocations: 1,
      completed_invocations: 1,
      workflow_paths: new Map([['quick', 1]]),
    })
  })

  it('an old record edited behind our back just before the freeze is caught by it', async () => {
    const migration = await inDualRead(dialect)
    const document = JSON.parse(await readFile(migration.jsonFile, 'utf8'))
    const old = document.invocations.findIndex((record: { completed: boolean }) => record.completed)
    const failed = await cutover({
      ...migration,
      onStep: async (step) => {
        if (step !== 'freeze') return
        // Our writer rewrites the file as well, so the log has an entry for its latest bytes
        // but none for those the edit left before it.
        const writer = new JsonFileTracker({ file: migration.jsonFile })
        const edited = JSON.parse(await readFile(migration.jsonFile, 'utf8'))
        edited.invocations[old] = {
          ...edited.invocations[old],
          completed: false,
          duration_seconds: null,
        }
        await writeFile(migration.jsonFile, JSON.stringify(edited, null, 2))
        await (await writer.trackInvocation('after-the-edit'))()
      },
    }).catch((error: unknown) => error)
    expect(failed).toBeInstanceOf(InconsistencyError)
    expect((failed as Error).message).toMatch(new RegExp(`invocation ${old} `))
    expect((await phaseOf(migration)).phase).toBe('dual-read')
  })

  it('a difference the freeze finds keeps dual-read (exit 5)', async () => {
    const migration = await inDualRead(dialect)
    // An invocation the file does not have: the sync never deletes, so the freeze's comparison finds it.
    const source = await (await createDataSource(migration.target)).initialize()
    await source.query(
      `INSERT INTO skill_invocation (id, skill_name, invoked_at, workflow_path, completed, follow_up_actions, schema_version, seq)
       VALUES ('00000000-0000-5000-8000-000000000000', 'ghost', '2030-01-01T00:00:00', NULL, ${dialect === 'postgres' ? 'false' : '0'}, '[]', 1, NULL)`,
    )
    await source.destroy()
    const failed = await cutover(migration).catch((error: unknown) => error)
    expect(failed).toBeInstanceOf(InconsistencyError)
    expect((failed as InconsistencyError).exitCode).toBe(5)
    expect((failed as Error).message).toMatch(/extra/)
    expect((await phaseOf(migration)).phase).toBe('dual-read')
  })
})

describe.each(DIALECTS)('rollback on %s', (dialect) => {
  it('from db-primary regenerates the file with every write, keeps the old one, and a backfill then changes nothing', async () => {
    const migration = await inDualRead(dialect)
    const history = await loadLegacyFile(migration.jsonFile)
    await cutover(migration)
    const tracker = await openTracker({ jsonFile: migration.jsonFile, db: migration.target })
    cleanups.unshift(() => tracker.close())
    for (const skill of ['type-fixer', 'new-after-cutover', 'type-fixer'])
      await (await tracker.trackInvocation(skill, { workflowPath: 'after' }))({
        followUpActions: ['x'],
      })
    const pending = await tracker.trackInvocation('new-after-cutover')
    const expected = await tracker.getAllMetrics()

    const dry = await rollback({ ...migration, dryRun: true })
    expect(dry.regenerated).toMatchObject({ invocations: history.invocations.length + 4 })
    expect((await phaseOf(migration)).phase).toBe('db-primary')

    const result = await rollback(migration)
    expect(result).toMatchObject({ from: 'db-primary', to: 'dual-write', moved: true })
    expect(await readFile(result.backup!.path)).toEqual(await readFile(result.backup!.path))
    const file = await loadLegacyFile(migration.jsonFile)
    expect(file.invocations.slice(0, history.invocations.length)).toEqual(history.invocations)
    expect(file.invocations.length).toBe(history.invocations.length + 4)
    expect(await new JsonFileTracker({ file: migration.jsonFile }).getAllMetrics()).toEqual(
      expected,
    )

    // The invocation started before the rollback completes on the legacy file, once.
    await pending()
    expect(
      (await new JsonFileTracker({ file: migration.jsonFile }).getSkillMetrics('new-after-cutover'))
        ?.total_invocations,
    ).toBe(2)
    // Every record kept its id and place: a backfill inserts nothing and validation is clean.
    const backfill = await migrateData(migration)
    expect(backfill).toMatchObject({ inserted: 0, displaced: 0 })
    expect((await runValidation(migration)).report.clean).toBe(true)
  })

  it('from cleaned (no legacy file left) regenerates it whole', async () => {
    const migration = await inDualRead(dialect)
    await cutover(migration)
    const tracker = await openTracker({ jsonFile: migration.jsonFile, db: migration.target })
    cleanups.unshift(() => tracker.close())
    await (await tracker.trackInvocation('after-cutover'))()
    const expected = await tracker.getAllMetrics()
    await cleanup({ ...migration, force: true, reason: 'test' })
    expect(existsSync(migration.jsonFile)).toBe(false)
    const result = await rollback(migration)
    expect(result).toMatchObject({ from: 'cleaned', to: 'dual-write', backup: null })
    expect(await new JsonFileTracker({ file: migration.jsonFile }).getAllMetrics()).toEqual(
      expected,
    )
    expect((await runValidation(migration)).report.clean).toBe(true)
  })

  it('from a JSON-truth phase only moves the phase; to json-only as asked', async () => {
    const migration = await inDualRead(dialect)
    const before = await readFile(migration.jsonFile)
    expect(await rollback({ ...migration, to: 'json-only' })).toMatchObject({
      from: 'dual-read',
      to: 'json-only',
      regenerated: null,
      moved: true,
    })
    expect(await readFile(migration.jsonFile)).toEqual(before)
    expect((await phaseOf(migration)).phase).toBe('json-only')
    expect(await rollback({ ...migration, to: 'json-only' })).toMatchObject({ moved: false })
  })
})
