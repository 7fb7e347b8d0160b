import { copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { ExitCode, RefusedError, UsageError } from '@skill-metrics/core'
import { PhaseStore, SchemaRunner } from '@skill-metrics/db-store'
import type { FreeSpace, FreeSpaceReader } from '@skill-metrics/durable-file'
import { DIALECTS, freshDatabase } from '@skill-metrics/testing/databases'
import { fixturePath } from '@skill-metrics/testing/fixtures'
import { advanceTo, inDualWrite, type Migration } from '@skill-metrics/testing/phase-walk'
import { afterEach, describe, expect, it } from 'vitest'
import { cutover } from '../src/operations/cutover.js'
import { checkHealth } from '../src/operations/health.js'
import { rollback } from '../src/operations/rollback.js'
import { dualWriteGuard } from '../src/phases/guards.js'
import { type TransitionRequest, transition } from '../src/phases/transition.js'
import { smallInDualRead } from './dual-read-support.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

/** A disk with `available` bytes free wherever anything is written: no disk is filled. */
const diskWith =
  (available: number): FreeSpaceReader =>
  async (path): Promise<FreeSpace> => ({ folder: dirname(path), available })

const sizeOf = async (path: string) => (await stat(path)).size

const thrown = async (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  )

async function lastHistory({ target }: Migration) {
  const store = await PhaseStore.open(target)
  try {
    return { phase: (await store.state()).phase, last: (await store.history(1))[0]! }
  } finally {
    await store.close()
  }
}

/** A refusal for space: exit 4, naming the folder, the bytes free, the bytes needed, what to do. */
function expectSpaceRefusal(error: unknown, folder: string, free: number, needed: number) {
  expect(error).toBeInstanceOf(RefusedError)
  const { exitCode, message } = error as RefusedError
  expect(exitCode).toBe(ExitCode.refused)
  expect(message).toContain(`${folder}`)
  expect(message).toContain(`${free} bytes free, ${needed} bytes needed`)
  expect(message).toContain(`free space on ${folder}`)
  expect(message).toContain('or pass --force --reason')
}

const databaseFileOf = ({ target }: Migration) => (target.dialect === 'sqlite' ? target.path : null)

describe.each(DIALECTS)('free space on %s', (dialect) => {
  async function dualWrite(): Promise<Migration> {
    const migration = await inDualWrite(dialect, fixturePath('small'))
    cleanups.push(migration.db.drop)
    return migration
  }

  /** small.json beside a migrated database, still json-only. */
  async function jsonOnly(): Promise<Migration> {
    const db = await freshDatabase(dialect)
    cleanups.push(db.drop)
    const runner = await SchemaRunner.open({ target: db.target })
    await runner.migrate()
    await runner.close()
    const jsonFile = join(await mkdtemp(join(tmpdir(), 'sm-space-')), 'skill_metrics.json')
    await copyFile(fixturePath('small'), jsonFile)
    return { db, jsonFile, target: db.target }
  }

  const toDualWrite = ({ jsonFile, target }: Migration, extra: Partial<TransitionRequest>) =>
    transition({
      jsonFile,
      target,
      to: 'dual-write',
      from: ['json-only'],
      guard: dualWriteGuard(),
      ...extra,
    })

  it('health warns below two copies of the legacy file, and stays ok', async () => {
    const migration = await dualWrite()
    const size = await sizeOf(migration.jsonFile)
    const folder = dirname(migration.jsonFile)

    const roomy = await checkHealth({ ...migration, freeSpace: diskWith(2 * size) })
    expect(roomy.checks.at(-1)).toEqual({
      name: 'free space',
      ok: true,
      detail: expect.stringContaining(`${folder}`),
    })

    const report = await checkHealth({ ...migration, freeSpace: diskWith(2 * size - 1) })
    expect(report.ok).toBe(true)
    const check = report.checks.find((c) => c.name === 'free space')!
    expect(check).toMatchObject({ ok: true, level: 'warn' })
    expect(check.detail).toContain(`${2 * size - 1} bytes free, ${2 * size} bytes needed`)
    expect(check.detail).toContain(`free space on ${folder}`)
    // The SQLite database is in another folder of the same file system: both are named.
    const database = databaseFileOf(migration)
    if (database !== null) expect(check.detail).toContain(`${folder} and ${dirname(database)}`)

    const unreadable: FreeSpaceReader = async () => {
      throw new Error('EACCES: permission denied')
    }
    const unmeasured = await checkHealth({ ...migration, freeSpace: unreadable })
    expect(unmeasured.ok).toBe(true)
    expect(unmeasured.checks.at(-1)).toEqual({
      name: 'free space',
      ok: true,
      level: 'warn',
      detail: 'not measured: EACCES: permission denied',
    })
  })

  it('phase dual-write refuses what cannot fit and records it; a dry run reports the check', async () => {
    const migration = await jsonOnly()
    const size = await sizeOf(migration.jsonFile)
    // One rewrite of the file; a SQLite database grows by as much, here on the same file system.
    const needed = databaseFileOf(migration) === null ? size : 2 * size
    const tight = { freeSpace: diskWith(needed - 1) }

    const dry = await toDualWrite(migration, { ...tight, dryRun: true })
    expect(dry.checks.find((check) => check.name === 'free space')).toMatchObject({ ok: false })

    const refused = await thrown(toDualWrite(migration, tight))
    expectSpaceRefusal(refused, dirname(migration.jsonFile), needed - 1, needed)
    expect(await lastHistory(migration)).toMatchObject({
      phase: 'json-only',
      last: { to_phase: 'dual-write', result: expect.stringMatching(/^refused: .*bytes needed/) },
    })

    await toDualWrite(migration, { freeSpace: diskWith(needed) })
    expect(await lastHistory(migration)).toMatchObject({
      phase: 'dual-write',
      last: { forced: false, result: 'ok' },
    })
  })

  it('phase dual-write with --force --reason goes on short of space, and records both', async () => {
    const migration = await jsonOnly()
    const forced = { freeSpace: diskWith(0), force: true }
    expect(await thrown(toDualWrite(migration, forced))).toBeInstanceOf(UsageError)
    expect(
      await toDualWrite(migration, { ...forced, reason: 'the disk grows tonight' }),
    ).toMatchObject({ forced: true })
    expect(await lastHistory(migration)).toMatchObject({
      phase: 'dual-write',
      last: { forced: true, reason: 'the disk grows tonight', result: 'ok' },
    })
  })

  it('cutover refuses without room for the backup and a rewrite; --force --reason passes', async () => {
    const migration = await smallInDualRead(dialect)
    cleanups.push(migration.db.drop)
    const size = await sizeOf(migration.jsonFile)
    const folder = dirname(migration.jsonFile)
    const before = await readFile(migration.jsonFile)
    const tight = { ...migration, freeSpace: diskWith(2 * size - 1) }

    expectSpaceRefusal(
      await thrown(cutover({ ...tight, dryRun: true })),
      folder,
      2 * size - 1,
      2 * size,
    )
    expectSpaceRefusal(await thrown(cutover(tight)), folder, 2 * size - 1, 2 * size)
    expect(await lastHistory(migration)).toMatchObject({
      phase: 'dual-read',
      last: { to_phase: 'db-primary', result: expect.stringMatching(/^refused: /), forced: false },
    })
    expect(await readFile(migration.jsonFile)).toEqual(before)
    expect(await thrown(cutover({ ...tight, force: true }))).toBeInstanceOf(UsageError)

    const forced = await cutover({ ...tight, force: true, reason: 'backups go elsewhere' })
    expect(forced).toMatchObject({ moved: true, forced: true })
    // The health check after the flip warns about the same disk, and does not revert the cutover.
    expect(forced.health.find((check) => check.name === 'free space')).toMatchObject({
      ok: true,
      level: 'warn',
    })
    expect(await lastHistory(migration)).toMatchObject({
      phase: 'db-primary',
      last: { forced: true, reason: 'backups go elsewhere', result: 'ok' },
    })
  })

  it('rollback from db-primary refuses without room for the regenerated file and the backup', async () => {
    const migration = await smallInDualRead(dialect)
    cleanups.push(migration.db.drop)
    await cutover(migration)
    const size = await sizeOf(migration.jsonFile)
    const folder = dirname(migration.jsonFile)
    const tight = { ...migration, freeSpace: diskWith(2 * size - 1) }

    expectSpaceRefusal(
      await thrown(rollback({ ...tight, dryRun: true })),
      folder,
      2 * size - 1,
      2 * size,
    )
    expectSpaceRefusal(await thrown(rollback(tight)), folder, 2 * size - 1, 2 * size)
    expect(await lastHistory(migration)).toMatchObject({
      phase: 'db-primary',
      last: { to_phase: 'dual-write', result: expect.stringMatching(/^refused: /) },
    })
    expect(await thrown(rollback({ ...tight, force: true }))).toBeInstanceOf(UsageError)

    const dry = await rollback({ ...migration, freeSpace: diskWith(2 * size), dryRun: true })
    expect(dry.checks).toEqual([
      { name: 'legacy file of this database', ok: true, detail: migration.jsonFile },
      { name: 'free space', ok: true, detail: expect.stringContaining(`${2 * size} bytes needed`) },
    ])

    const forced = await rollback({ ...tight, force: true, reason: 'a bigger disk is mounted' })
    expect(forced).toMatchObject({ moved: true, forced: true, to: 'dual-write' })
    expect(await lastHistory(migration)).toMatchObject({
      phase: 'dual-write',
      last: { forced: true, reason: 'a bigger disk is mounted', result: 'ok' },
    })
  })

  it('rollback with no legacy file left estimates by the SQLite file, or not at all', async () => {
    const migration = await dualWrite()
    await advanceTo(migration, 'dual-write', 'cleaned')
    await rm(migration.jsonFile)
    const refused = await thrown(rollback({ ...migration, freeSpace: diskWith(0), dryRun: true }))
    if (databaseFileOf(migration) === null) {
      expect(refused).toBeUndefined()
      return
    }
    const database = databaseFileOf(migration)!
    const estimate = await sizeOf(database)
    expectSpaceRefusal(refused, dirname(migration.jsonFile), 0, estimate)
    expect((refused as Error).message).toContain(`the regenerated file (estimated): ${estimate}`)
  })
})
