import { readdir, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { expectAggregatesMatchRecords } from '@skill-metrics/testing/legacy-checks'
import { execa, type ResultPromise } from 'execa'
import { describe, expect, it } from 'vitest'
import { generateLegacyFile } from '../src/generate.js'
import { journalLength } from '../src/journal.js'
import { loadLegacyFile } from '../src/json-tracker.js'
import { readWriterState } from '../src/writer-state.js'
import { lockOwnerPathOf } from '../src/writers-lock.js'
import { freshLegacyPath } from './writers.js'

const groupWriter = fileURLToPath(new URL('./group-writer.mjs', import.meta.url))
const TRIALS = 20
const WRITERS = 4
const PER_WRITER = 5

const startWriter = (file: string, prefix: string, count: number): ResultPromise =>
  execa('node', [groupWriter, file, prefix, String(count)], { reject: false })

const tagsOf = (stdout: unknown, prefix: string) =>
  String(stdout ?? '')
    .split('\n')
    .filter((line) => line.startsWith(`${prefix}`))

/** The pid named in the lock's owner file once one of `pids` holds the lock. */
async function holderAmong(file: string, pids: Set<number>): Promise<number | undefined> {
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    const owner = await readFile(lockOwnerPathOf(file), 'utf8').catch(() => '')
    const pid = Number(/-(\d+)\n$/.exec(owner)?.[1])
    if (pids.has(pid)) return pid
    await sleep(5)
  }
  return undefined
}

/** Returns once the writer state names a batch pending its rename, or after `patienceMs`. */
async function pendingBatchShows(file: string, patienceMs: number): Promise<void> {
  const deadline = Date.now() + patienceMs
  while (Date.now() < deadline) {
    if ((await readWriterState(file).catch(() => null))?.journal?.pending !== undefined) return
    await sleep(1)
  }
}

describe(`kill -9 of the group committer at random points, ${TRIALS} trials`, () => {
  it('applies every acknowledged change exactly once and replays the journal', async () => {
    const file = await freshLegacyPath()
    // Large enough that a rewrite takes a while (the kill lands in it), small enough for 20 trials.
    await generateLegacyFile(file, { invocations: 20_000 })
    const acknowledged = new Set<string>()
    const killedTags = new Set<string>()
    const leftByKill = { takenJournal: 0, pendingBatch: 0 }
    for (let trial = 0; trial < TRIALS; trial += 1) {
      const writers = Array.from({ length: WRITERS }, (_, index) => {
        const prefix = `t${trial}w${index}`
        return { prefix, run: startWriter(file, prefix, PER_WRITER) }
      })
      const holder = await holderAmong(file, new Set(writers.map(({ run }) => run.pid!)))
      expect(holder, 'no writer took the lock').toBeDefined()
      // Odd trials aim at the narrow window between the state naming the batch and the rename and
      // its settling; even ones anywhere in the holder's rewrite: its read, its journal take, ….
      if (trial % 2 === 1) await pendingBatchShows(file, 3_000)
      await sleep(Math.random() * (trial % 2 === 1 ? 40 : 700))
      process.kill(holder!, 'SIGKILL')
      // What the dead holder left, before a waiter takes over: how far into a batch the kill came.
      const state = await readWriterState(file)
      if (state?.journal?.pending !== undefined) leftByKill.pendingBatch += 1
      if ((await readdir(dirname(file))).some((name) => /\.journal\.\d/.test(name)))
        leftByKill.takenJournal += 1
      const runs = await Promise.all(writers.map(({ run }) => run))
      for (const [index, run] of runs.entries()) {
        const { prefix } = writers[index]!
        const tags = tagsOf(run.stdout, `${prefix}-`)
        for (const tag of tags) acknowledged.add(tag)
        if (writers[index]!.run.pid === holder) {
          for (let item = 0; item < PER_WRITER; item += 1) killedTags.add(`${prefix}-${item}`)
        } else {
          expect(run.exitCode, String(run.stderr)).toBe(0)
          expect(tags).toHaveLength(PER_WRITER)
        }
      }
      // The next writer replays what the dead holder left.
      const next = await startWriter(file, `t${trial}next`, 1)
      expect(next.exitCode, String(next.stderr)).toBe(0)
      for (const tag of tagsOf(next.stdout, `t${trial}next-`)) acknowledged.add(tag)

      const document = await loadLegacyFile(file)
      const counts = new Map<string, number>()
      for (const record of document.invocations) {
        if (record.workflow_path?.startsWith('t'))
          counts.set(record.workflow_path, (counts.get(record.workflow_path) ?? 0) + 1)
      }
      for (const tag of acknowledged) expect(counts.get(tag), `${tag} acknowledged`).toBe(1)
      // A change the killed writer never saw acknowledged is in the file once or not at all.
      for (const [tag, count] of counts) expect(count, `${tag} applied twice`).toBe(1)
      expectAggregatesMatchRecords(document.invocations, document.skills, 'concurrent')
      expect(await journalLength(file)).toBe(0)
      const left = (await readdir(dirname(file))).filter((name) => name.includes('.journal'))
      expect(left).toEqual([])
    }
    console.log(
      `${TRIALS} kill -9 trials of the group committer: ${acknowledged.size} acknowledged changes, each in the file once; the dead holder left a taken journal ${leftByKill.takenJournal} times, a batch pending its rename ${leftByKill.pendingBatch} times`,
    )
    // The kills must have landed inside batches, or the trials proved nothing about replay.
    expect(leftByKill.takenJournal).toBeGreaterThan(0)
  }, 1_200_000)
})
