import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises'
import { PhaseStore, SchemaRunner } from '@skill-metrics/db-store'
import { JsonFileTracker, LOCK_STALE_MS, lockPathOf } from '@skill-metrics/json-tracker'
import { DIALECTS, freshDatabase } from '@skill-metrics/testing/databases'
import { advanceTo, inDualWrite, type Migration } from '@skill-metrics/testing/phase-walk'
import { REQUIRED_VERSION } from '@skill-metrics/testing/versions'
import { afterEach, describe, expect, it } from 'vitest'
import { checkHealth } from '../src/operations/health.js'
import { migrationStatus } from '../src/operations/status.js'
import { readPhaseCopy, writePhaseCopy } from '../src/phases/phase-copy.js'

const dropped: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const drop of dropped.splice(0)) await drop()
})

/** A migration in dual-write whose legacy file our tracker wrote (so foreign writes are seen). */
async function tracked(dialect: 'sqlite' | 'postgres'): Promise<Migration> {
  const migration = await inDualWrite(dialect)
  dropped.push(migration.db.drop)
  await (await new JsonFileTracker({ file: migration.jsonFile }).trackInvocation('review'))()
  return migration
}

const failedChecks = async ({ jsonFile, target }: Migration, duringTransition = false) => {
  const report = await checkHealth({ jsonFile, target, duringTransition })
  const failed = report.checks.filter((check) => !check.ok).map((check) => check.name)
  expect(report.ok).toBe(failed.length === 0)
  return failed
}

async function recordValidation({ target }: Migration, clean: boolean, startedAt = new Date()) {
  const store = await PhaseStore.open(target)
  try {
    await store.recordValidation({
      at: new Date().toISOString(),
      kind: 'full',
      clean,
      summary: JSON.stringify({ started_at: startedAt.toISOString() }),
    })
  } finally {
    await store.close()
  }
}

describe.each(DIALECTS)('health on %s', (dialect) => {
  it('passes every check in dual-write and in db-primary, naming each', async () => {
    const migration = await tracked(dialect)
    const report = await checkHealth(migration)
    expect(report.ok).toBe(true)
    expect(report.checks.map((check) => check.name)).toEqual([
      'database reachable',
      'legacy file of this database',
      'schema at the latest version',
      'phase and epoch consistent',
      'no stuck lock',
      'last validation',
      'no foreign write since the last clean validation',
      'group-commit journal drained',
      'free space',
    ])
    expect(report.checks[1]?.detail).toBe(migration.jsonFile)
    await advanceTo(migration, 'dual-write', 'migrated')
    await recordValidation(migration, true)
    await advanceTo(migration, 'migrated', 'db-primary')
    const primary = await checkHealth(migration)
    expect(primary.ok).toBe(true)
    // The legacy file is no longer the source of truth: it is watched for another writer instead.
    expect(primary.checks.map((check) => check.name)).not.toContain(
      'no foreign write since the last clean validation',
    )
    expect(primary.checks.map((check) => check.name)).toContain(
      'legacy file unchanged since cutover',
    )
    expect(primary.checks.find((check) => check.name === 'last validation')?.detail).toMatch(
      /^clean \(full\) \d+ s ago, at /,
    )
  })

  it('a lock its holder stopped refreshing is stuck; a fresh one is a writer at work', async () => {
    const migration = await tracked(dialect)
    await mkdir(lockPathOf(migration.jsonFile))
    expect(await failedChecks(migration)).toEqual([])
    const longAgo = new Date(Date.now() - LOCK_STALE_MS - 5_000)
    await utimes(lockPathOf(migration.jsonFile), longAgo, longAgo)
    expect(await failedChecks(migration)).toEqual(['no stuck lock'])
  })

  it('a copy beside the file that disagrees with the database, or a transition left unfinished', async () => {
    const migration = await tracked(dialect)
    const copy = (await readPhaseCopy(migration.jsonFile))!
    await writePhaseCopy(migration.jsonFile, { ...copy, epoch: copy.epoch + 1 })
    expect(await failedChecks(migration)).toEqual(['phase and epoch consistent'])
    await writePhaseCopy(migration.jsonFile, { ...copy, transitioning: true })
    expect(await failedChecks(migration)).toEqual(['phase and epoch consistent'])
    // A transition checks health under the lock before it clears its own mark.
    expect(await failedChecks(migration, true)).toEqual([])
  })

  it('a pending schema version that is not optional', async () => {
    const migration = await tracked(dialect)
    const db = await freshDatabase(dialect)
    dropped.push(db.drop)
    const runner = await SchemaRunner.open({ target: db.target })
    await runner.migrate({ target: REQUIRED_VERSION - 1 })
    await runner.close()
    const report = await checkHealth({ jsonFile: migration.jsonFile, target: db.target })
    expect(report.ok).toBe(false)
    expect(
      report.checks.find((check) => check.name === 'schema at the latest version'),
    ).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/pending: V\d+(, V\d+)*\); run: skill-metrics schema migrate/),
    })
  })

  it('a missing or unclean validation, once the phase needs one', async () => {
    const migration = await tracked(dialect)
    await advanceTo(migration, 'dual-write', 'migrated')
    expect(await failedChecks(migration)).toEqual(['last validation'])
    await recordValidation(migration, false)
    expect(await failedChecks(migration)).toEqual(['last validation'])
    await recordValidation(migration, true)
    expect(await failedChecks(migration)).toEqual([])
  })

  it('a foreign writer during dual-write: health and status report it', async () => {
    const migration = await tracked(dialect)
    const { jsonFile, target } = migration
    const text = await readFile(jsonFile, 'utf8')
    // The original Python tracker rewrites the whole file and takes no lock.
    await writeFile(jsonFile, text.replace('"total_invocations": 1', '"total_invocations": 2'))
    const foreign = 'no foreign write since the last clean validation'
    expect(await failedChecks(migration)).toEqual([foreign])
    expect((await migrationStatus(jsonFile, target)).legacy.foreignWrites).toHaveLength(1)
    // Our next write records the foreign one, and health keeps failing on it...
    await (await new JsonFileTracker({ file: jsonFile }).trackInvocation('lint'))()
    expect((await migrationStatus(jsonFile, target)).legacy.foreignWrites).toHaveLength(1)
    expect(await failedChecks(migration)).toEqual([foreign])
    // ...until a validation that started after it finds the database equal to the file.
    await recordValidation(migration, true, new Date(Date.now() + 1_000))
    expect(await failedChecks(migration)).toEqual([])
  })
})

describe('health without a database', () => {
  it('names the unreachable database as a failed check, and does not throw', async () => {
    const migration = await tracked('sqlite')
    const report = await checkHealth({
      jsonFile: migration.jsonFile,
      target: {
        dialect: 'postgres',
        url: 'postgres://postgres@127.0.0.1:1/none',
        schema: undefined,
        display: 'postgres://postgres@127.0.0.1:1/none',
      },
    })
    expect(report.ok).toBe(false)
    expect(report.checks[0]).toMatchObject({
      name: 'database reachable',
      ok: false,
      detail: expect.stringMatching(/ECONNREFUSED|connect/),
    })
    expect(report.checks.find((check) => check.name === 'no stuck lock')?.ok).toBe(true)
  })
})
