import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, readFile, rm } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import { PassThrough } from 'node:stream'
import { gunzipSync } from 'node:zlib'
import {
  type Clock,
  ExitCode,
  InconsistencyError,
  RefusedError,
  UsageError,
} from '@skill-metrics/core'
import { PhaseStore } from '@skill-metrics/db-store'
import { JsonFileTracker, writerStatePathOf } from '@skill-metrics/json-tracker'
import { DIALECTS } from '@skill-metrics/testing/databases'
import { advanceTo, inDualWrite, type Migration } from '@skill-metrics/testing/phase-walk'
import { execa } from 'execa'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { cleanup } from '../src/operations/cleanup.js'
import { checkHealth } from '../src/operations/health.js'
import { migrationStatus, nextCommand } from '../src/operations/status.js'
import { readPhaseCopy, writePhaseCopy } from '../src/phases/phase-copy.js'
import { flipPhase, transitionRecord } from '../src/phases/transition.js'

// A disk that hands back other bytes than were written: the archive must not read back right.
const readBack = vi.hoisted(() => ({ corrupt: false }))
vi.mock('node:zlib', async (importOriginal) => {
  const zlib = await importOriginal<typeof import('node:zlib')>()
  return {
    ...zlib,
    createGunzip: () => (readBack.corrupt ? new PassThrough() : zlib.createGunzip()),
  }
})

const DAY_MS = 86_400_000
const CUTOVER = new Date('2026-03-01T12:00:00.000Z')
const clockAt = (date: Date): Clock => ({ now: () => date })
const daysAfterCutover = (days: number) => clockAt(new Date(CUTOVER.getTime() + days * DAY_MS))

const dropped: Array<() => Promise<void>> = []
afterEach(async () => {
  readBack.corrupt = false
  for (const drop of dropped.splice(0)) await drop()
})

/** A legacy file written by our tracker, and a database in db-primary since CUTOVER. */
async function inDbPrimary(dialect: 'sqlite' | 'postgres'): Promise<Migration> {
  const migration = await inDualWrite(dialect)
  dropped.push(migration.db.drop)
  const tracker = new JsonFileTracker({ file: migration.jsonFile })
  await (await tracker.trackInvocation('review'))()
  await advanceTo(migration, 'dual-write', 'db-primary', clockAt(CUTOVER))
  return migration
}

async function phaseOf({ target }: Migration) {
  const store = await PhaseStore.open(target)
  try {
    return { state: await store.state(), history: await store.history() }
  } finally {
    await store.close()
  }
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')
const archivesBeside = async (jsonFile: string) =>
  (await readdir(dirname(jsonFile))).filter((name) => name.includes('.archive-'))

describe.each(DIALECTS)('cleanup on %s', (dialect) => {
  it('refuses before the retention period, records why, and leaves everything as it was', async () => {
    const migration = await inDbPrimary(dialect)
    const { jsonFile, target } = migration
    const before = await readFile(jsonFile)
    await expect(cleanup({ jsonFile, target, clock: daysAfterCutover(6.9) })).rejects.toSatisfy(
      (error) =>
        error instanceof RefusedError &&
        error.exitCode === ExitCode.refused &&
        error.message.endsWith(
          'cutover at 2026-03-01T12:00:00.000Z; the retention ends at 2026-03-08T12:00:00.000Z',
        ),
    )
    const { state, history } = await phaseOf(migration)
    expect(state.phase).toBe('db-primary')
    expect(history[0]).toMatchObject({
      to_phase: 'cleaned',
      result: expect.stringMatching(/^refused: /),
    })
    expect(await readFile(jsonFile)).toEqual(before)
    expect(await archivesBeside(jsonFile)).toEqual([])
    // A longer retention than the default keeps it closed past seven days.
    await expect(
      cleanup({ jsonFile, target, retentionDays: 30, clock: daysAfterCutover(8) }),
    ).rejects.toThrow(RefusedError)
    await expect(cleanup({ jsonFile, target, force: true })).rejects.toThrow(UsageError)
  })

  it('after it, archives the file with a verified sha256 manifest, then removes the file', async () => {
    const migration = await inDbPrimary(dialect)
    const { jsonFile, target } = migration
    const original = await readFile(jsonFile)
    const dry = await cleanup({ jsonFile, target, clock: daysAfterCutover(7), dryRun: true })
    expect(dry).toMatchObject({ to: 'cleaned', dryRun: true, legacyFileFound: true, archive: null })
    expect(await archivesBeside(jsonFile)).toEqual([])
    expect((await phaseOf(migration)).state.phase).toBe('db-primary')

    const outcome = await cleanup({ jsonFile, target, clock: daysAfterCutover(7) })
    expect(outcome).toMatchObject({ from: 'db-primary', to: 'cleaned', forced: false })
    const archive = outcome.archive!
    expect(archive.path).toBe(`${jsonFile}.archive-20260308T120000Z.json.gz`)
    const compressed = await readFile(archive.path)
    expect(gunzipSync(compressed)).toEqual(original)
    const name = basename(archive.path)
    expect(await readFile(archive.manifest, 'utf8')).toBe(
      `${sha256(compressed)}  ${name}\n# ${sha256(original)}  the legacy file inside: gunzip -c ${name} | sha256sum\n`,
    )
    // What the README tells an operator to run, from the manifest's folder.
    const folder = { cwd: dirname(archive.path) }
    const checked = await execa('sha256sum', ['-c', basename(archive.manifest)], folder)
    expect(checked.stdout).toBe(`${name}: OK`)
    const inner = await execa({ ...folder, shell: true })`gunzip -c ${name} | sha256sum`
    expect(inner.stdout).toBe(`${sha256(original)}  -`)
    expect(archive.original).toEqual({ size: original.length, sha256: sha256(original) })
    expect(existsSync(jsonFile)).toBe(false)
    expect(existsSync(writerStatePathOf(jsonFile))).toBe(false)
    expect(await readPhaseCopy(jsonFile)).toMatchObject({ phase: 'cleaned', transitioning: false })
    const { state } = await phaseOf(migration)
    expect(state).toMatchObject({ phase: 'cleaned', cutover_at: CUTOVER.toISOString() })
  })

  it('with --force and a reason before the retention period, and with nothing to archive', async () => {
    const migration = await inDbPrimary(dialect)
    const { jsonFile, target } = migration
    await rm(jsonFile)
    const outcome = await cleanup({
      jsonFile,
      target,
      clock: daysAfterCutover(1),
      force: true,
      reason: 'disk full',
    })
    expect(outcome).toMatchObject({ forced: true, legacyFileFound: false, archive: null })
    expect((await phaseOf(migration)).history[0]).toMatchObject({
      to_phase: 'cleaned',
      forced: true,
      reason: 'disk full',
      result: 'ok',
    })
  })

  it('an archive that does not read back as written stops it before the phase moves', async () => {
    const migration = await inDbPrimary(dialect)
    const { jsonFile, target } = migration
    const original = await readFile(jsonFile)
    readBack.corrupt = true
    await expect(cleanup({ jsonFile, target, clock: daysAfterCutover(7) })).rejects.toSatisfy(
      (error) =>
        error instanceof InconsistencyError && /did not read back as written/.test(error.message),
    )
    expect((await phaseOf(migration)).state.phase).toBe('db-primary')
    expect(await readPhaseCopy(jsonFile)).toMatchObject({
      phase: 'db-primary',
      transitioning: false,
    })
    expect(await readFile(jsonFile)).toEqual(original)
    expect(await archivesBeside(jsonFile)).toEqual([])
    expect(existsSync(writerStatePathOf(jsonFile))).toBe(true)
  })

  it('a shorter retention is forcing, a confirmation is asked only when it would run, and a rerun ends what a stopped run left', async () => {
    const migration = await inDbPrimary(dialect)
    const { jsonFile, target } = migration
    const original = await readFile(jsonFile)
    const asked: string[] = []
    const answer = (yes: boolean) => async (question: string) => {
      asked.push(question)
      return yes
    }
    const early = { jsonFile, target, retentionDays: 3, clock: daysAfterCutover(4) }
    await expect(cleanup({ ...early, confirm: answer(true) })).rejects.toThrow(
      /--retention-days 3 is shorter than the default 7: that needs --force --reason/,
    )
    expect(asked).toEqual([])
    const forced = { ...early, force: true, reason: 'disk full' }
    await expect(cleanup({ ...forced, confirm: answer(false) })).rejects.toThrow(
      'cleanup not confirmed; nothing was changed',
    )
    expect(asked).toEqual([
      `Archive ${jsonFile} (gzip, sha256 manifest) and remove it? The database becomes the only store. Continue?`,
    ])
    expect(await readFile(jsonFile)).toEqual(original)
    expect(await archivesBeside(jsonFile)).toEqual([])
    expect((await phaseOf(migration)).history[0]).toMatchObject({
      to_phase: 'cleaned',
      result: expect.stringMatching(/^refused: --retention-days 3 is shorter/),
    })

    // Stopped once the database moved, before the file was removed: the mark names the command.
    const store = await PhaseStore.open(target)
    const { epoch, cutover_at } = await store.state()
    const moved = transitionRecord({
      at: new Date(),
      reason: 'disk full',
      from: 'db-primary',
      to: 'cleaned',
      epoch: epoch + 1,
      result: 'ok',
      forced: true,
      checks: null,
    })
    const stopped = async () => {
      throw new Error('stopped')
    }
    await expect(
      flipPhase(store, { jsonFile, target }, moved, cutover_at, { afterCommit: stopped }),
    ).rejects.toThrow('stopped')
    await store.close()
    const status = await migrationStatus(jsonFile, target)
    expect(status.unfinishedTransition).toEqual({ to: 'cleaned', command: 'skill-metrics cleanup' })
    expect(nextCommand(status)).toBe(
      'skill-metrics cleanup (the move to cleaned did not finish: a rerun finishes it)',
    )
    const health = await checkHealth({ jsonFile, target })
    expect(health.checks.find((check) => !check.ok)?.detail).toBe(
      `the transition to cleaned (epoch ${epoch + 1}) did not finish; rerun skill-metrics cleanup`,
    )
    const rerun = await cleanup(forced)
    expect(rerun).toMatchObject({ to: 'cleaned', epoch: epoch + 1, archive: null })
    expect(existsSync(jsonFile)).toBe(false)
    expect(await readPhaseCopy(jsonFile)).toMatchObject({ phase: 'cleaned', transitioning: false })

    // A rollback stopped before the database moved names itself too.
    await writePhaseCopy(jsonFile, {
      phase: 'dual-write',
      epoch: epoch + 3,
      transitioning: true,
      updated_at: moved.at,
    })
    expect((await migrationStatus(jsonFile, target)).unfinishedTransition).toEqual({
      to: 'dual-write',
      command: 'skill-metrics rollback --to dual-write',
    })
  })
})
