import { existsSync } from 'node:fs'
import { appendFile, copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ExitCode, type JournalEntry, WriteFailedError } from '@skill-metrics/core'
import { fingerprintFile } from '@skill-metrics/durable-file'
import { installWriteFault } from '@skill-metrics/testing/inject-write-faults'
import { expectAggregatesMatchRecords } from '@skill-metrics/testing/legacy-checks'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  appendToJournal,
  journalLength,
  journalPathOf,
  rejectedJournalPathOf,
  takeJournal,
} from './journal.js'
import {
  type CommitResult,
  invocationEntry,
  JsonFileTracker,
  loadLegacyFile,
} from './json-tracker.js'
import { readWriterState, recordJournal } from './writer-state.js'
import { withWritersLock } from './writers-lock.js'

async function freshFile(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'sm-group-commit-')), 'skill_metrics.json')
}

const entryFor = (path: string) =>
  invocationEntry(
    'review',
    { workflowPath: path },
    { durationSeconds: 1 },
    { now: () => new Date() },
  )

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

interface Rewrite {
  entries: number
}

let trace: string
beforeEach(async () => {
  trace = join(await mkdtemp(join(tmpdir(), 'sm-trace-')), 'trace.jsonl')
  process.env.SKILL_METRICS_TRACE_FILE = trace
})
afterEach(() => {
  delete process.env.SKILL_METRICS_TRACE_FILE
  delete process.env.SKILL_METRICS_GROUP_COMMIT
})

const rewrites = async (): Promise<Rewrite[]> =>
  existsSync(trace)
    ? (await readFile(trace, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Rewrite)
    : []

/** `count` writers commit while the lock is held; returns once all of them are journaled. */
async function writersQueuedBehindTheLock(file: string, count: number) {
  let release!: () => void
  const held = withWritersLock(file, () => new Promise<void>((resolve) => (release = resolve)))
  await until(async () => existsSync(`${file}.lock`), 'the lock')
  const entries = Array.from({ length: count }, (_, index) => entryFor(`path-${index}`))
  const commits: Promise<CommitResult>[] = []
  for (const entry of entries) {
    commits.push(new JsonFileTracker({ file }).commit(entry))
    // One at a time, so that the journal's order is known.
    await until(async () => (await journalLength(file)) === commits.length, 'the journal')
  }
  const releaseLock = () => {
    release()
    return held
  }
  return { entries, commits, release: releaseLock }
}

describe('group commit', () => {
  it('applies every change journaled while the lock was held in one rewrite, in arrival order', async () => {
    const file = await freshFile()
    await new JsonFileTracker({ file }).commit(entryFor('first'))
    const { entries, commits, release } = await writersQueuedBehindTheLock(file, 5)
    await release()
    const results = await Promise.all(commits)

    expect(results.map(({ applied }) => applied.seq)).toEqual([1, 2, 3, 4, 5])
    expect(results.map(({ applied }) => applied.entry)).toEqual(entries.map(({ entry }) => entry))
    expect(results.map(({ applied }) => applied.completion_seq)).toEqual([2, 3, 4, 5, 6])
    // One rewrite for the first writer, one for the five.
    expect(await rewrites()).toMatchObject([{ entries: 1 }, { entries: 5 }])
    const document = await loadLegacyFile(file)
    expect(document.invocations.map((record) => record.workflow_path)).toEqual([
      'first',
      ...entries.map((_, index) => `path-${index}`),
    ])
    expectAggregatesMatchRecords(document.invocations, document.skills, 'file')
    expect(await journalLength(file)).toBe(0)
    expect((await readWriterState(file))?.journal?.applied.map(({ entry }) => entry)).toEqual(
      entries.map(({ entry }) => entry),
    )
  })

  it('switched off, every writer waits and rewrites the file itself', async () => {
    process.env.SKILL_METRICS_GROUP_COMMIT = '0'
    const file = await freshFile()
    let release!: () => void
    const held = withWritersLock(file, () => new Promise<void>((resolve) => (release = resolve)))
    await until(async () => existsSync(`${file}.lock`), 'the lock')
    const commits = [0, 1, 2].map((index) =>
      new JsonFileTracker({ file }).commit(entryFor(`path-${index}`)),
    )
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(existsSync(journalPathOf(file))).toBe(false)
    release()
    await held
    await Promise.all(commits)
    expect(await rewrites()).toEqual([
      expect.objectContaining({ entries: 1 }),
      expect.objectContaining({ entries: 1 }),
      expect.objectContaining({ entries: 1 }),
    ])
    expect((await loadLegacyFile(file)).invocations).toHaveLength(3)
  })

  it('applies an entry appended twice once', async () => {
    const file = await freshFile()
    const twice = entryFor('twice')
    await appendToJournal(file, twice)
    await appendToJournal(file, twice)
    await new JsonFileTracker({ file }).commit(entryFor('after'))
    // Appended again after it was applied (a line that landed in a journal already taken).
    await appendToJournal(file, twice)
    await new JsonFileTracker({ file }).commit(entryFor('last'))
    const paths = (await loadLegacyFile(file)).invocations.map((record) => record.workflow_path)
    expect(paths).toEqual(['twice', 'after', 'last'])
  })

  it('keeps a torn or foreign line aside with its reason and applies the rest', async () => {
    const file = await freshFile()
    await appendToJournal(file, entryFor('before'))
    await appendFile(journalPathOf(file), '\n{"entry": "cut-short-by-a-cra')
    await appendToJournal(file, entryFor('after'))
    await appendFile(
      journalPathOf(file),
      `\n${JSON.stringify({ entry: 'x'.repeat(10), kind: 'start' })}\n`,
    )
    await new JsonFileTracker({ file }).commit(entryFor('own'))
    const paths = (await loadLegacyFile(file)).invocations.map((record) => record.workflow_path)
    expect(paths).toEqual(['before', 'after', 'own'])
    const rejected = (await readFile(rejectedJournalPathOf(file), 'utf8')).trim().split('\n')
    expect(rejected.map((line) => JSON.parse(line).reason)).toEqual([
      'not JSON (a line cut short by a crash or a full disk)',
      expect.stringContaining('record'),
    ])
  })

  it('a holder that died before its rename: the next writer applies its batch, once', async () => {
    const file = await freshFile()
    await new JsonFileTracker({ file }).commit(entryFor('first'))
    const lost = [entryFor('a'), entryFor('b')]
    for (const entry of lost) await appendToJournal(file, entry)
    // What the dead holder left: the journal taken aside, the state naming bytes never renamed in.
    await takeJournal(file)
    const state = await readWriterState(file)
    await recordJournal(file, {
      applied: state?.journal?.applied ?? [],
      pending: {
        after: { size: 1, sha256: 'never-renamed' },
        applied: lost.map(({ entry }, index) => ({
          entry,
          id: `id-${index}`,
          seq: index + 1,
          completion_seq: index + 2,
        })),
      },
    })
    await new JsonFileTracker({ file }).commit(entryFor('next'))
    const paths = (await loadLegacyFile(file)).invocations.map((record) => record.workflow_path)
    expect(paths).toEqual(['first', 'a', 'b', 'next'])
    expect(await journalLength(file)).toBe(0)
  })

  it('a holder that died after its rename: the next writer skips its batch and settles it', async () => {
    const file = await freshFile()
    const { entries, commits, release } = await writersQueuedBehindTheLock(file, 2)
    // Keep the journal as the holder will take it, to put it back as a dead holder leaves it.
    const kept = join(await mkdtemp(join(tmpdir(), 'sm-kept-')), 'journal')
    await copyFile(journalPathOf(file), kept)
    await release()
    const results = await Promise.all(commits)
    const applied = results.map((result) => result.applied)
    await copyFile(kept, `${journalPathOf(file)}.000000000000001-deadbeef`)
    const fingerprint = await fingerprintFile(file)
    await recordJournal(file, { applied: [], pending: { after: fingerprint!, applied } })

    const waiting = await (async () => {
      const state = await readWriterState(file)
      return state?.journal?.applied.length
    })()
    expect(waiting).toBe(0)
    await new JsonFileTracker({ file }).commit(entryFor('next'))
    const paths = (await loadLegacyFile(file)).invocations.map((record) => record.workflow_path)
    expect(paths).toEqual([...entries.map((_, index) => `path-${index}`), 'next'])
    expect((await readWriterState(file))?.journal?.applied.map(({ entry }) => entry)).toEqual(
      entries.map(({ entry }) => entry),
    )
    const left = (await readdir(join(file, '..'))).filter((name) => name.includes('.journal'))
    expect(left).toEqual([])
  })

  it('a waiter whose time runs out says its change waits in the journal; a retry applies it once', async () => {
    const file = await freshFile()
    let release!: () => void
    const held = withWritersLock(file, () => new Promise<void>((resolve) => (release = resolve)))
    await until(async () => existsSync(`${file}.lock`), 'the lock')
    const tracker = new JsonFileTracker({ file, lockTimeoutMs: 300 })
    const entry: JournalEntry = entryFor('late')
    const error = await tracker.commit(entry).catch((caught: unknown) => caught as Error)
    expect((error as Error).message).toContain(`entry ${entry.entry}`)
    expect((error as Error).message).toContain('do not record it again')
    release()
    await held
    await tracker.commit(entry)
    expect((await loadLegacyFile(file)).invocations).toHaveLength(1)
    await rm(trace, { force: true })
  })
  it('a full disk refuses a waiter whose journal line cannot be written (exit 4), and nothing is applied', async () => {
    const file = await freshFile()
    let release!: () => void
    const held = withWritersLock(file, () => new Promise<void>((resolve) => (release = resolve)))
    await until(async () => existsSync(`${file}.lock`), 'the lock')
    const remove = installWriteFault({ path: '\\.journal$', fault: 'enospc' })
    const error = await new JsonFileTracker({ file })
      .commit(entryFor('no-space'))
      .catch((caught: unknown) => caught)
    expect(remove()).toBeGreaterThan(0)
    release()
    await held
    expect(error).toBeInstanceOf(WriteFailedError)
    expect((error as WriteFailedError).exitCode).toBe(ExitCode.refused)
    expect((error as Error).message).toMatch(/no space left on .*\.journal/)
    await new JsonFileTracker({ file }).drain()
    expect(existsSync(file) ? (await loadLegacyFile(file)).invocations : []).toEqual([])
    await rm(trace, { force: true })
  })
})
