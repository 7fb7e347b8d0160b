import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa, type ResultPromise } from 'execa'
import type { Refusal } from './invariants.js'

const libraryWriter = fileURLToPath(new URL('../bin/library-writer.js', import.meta.url))
export const cliBin = fileURLToPath(new URL('../../cli/bin/run.js', import.meta.url))

/**
 * The writers that run through the whole lifecycle: long-running library processes (following
 * every phase through `openTracker`) and loops of short `skill-metrics track` processes. Each tag
 * is known as returned only once its writer's writes returned: those are the invocations that
 * must never be lost. A write refused with exit 4 is kept apart, with when it ran: whether that
 * is an error depends on when the disk was full (see `judgeRefusals`).
 */
export class Writers {
  readonly #stopFile: string
  readonly #library: Array<{ log: string; run: ResultPromise }> = []
  readonly #trackLoops: Promise<void>[] = []
  readonly #trackReturned: string[] = []
  #trackRefused: Refusal[] = []
  #trackMs: number[] = []
  readonly #linesSeen = new Map<string, number>()
  readonly errors: string[] = []
  #stopping = false

  constructor(dir: string, jsonFile: string, dbUrl: string, count: number) {
    this.#stopFile = join(dir, 'stop-writers')
    const library = Math.ceil(count / 2)
    for (let index = 0; index < library; index += 1) {
      const log = join(dir, `library-${index}.log`)
      const run = execa(
        'node',
        [libraryWriter, jsonFile, dbUrl, `lib${index}`, this.#stopFile, log],
        {
          reject: false,
        },
      )
      this.#library.push({ log, run })
    }
    for (let index = 0; index < count - library; index += 1)
      this.#trackLoops.push(this.#trackLoop(`track${index}`, jsonFile, dbUrl))
  }

  async #trackLoop(name: string, jsonFile: string, dbUrl: string): Promise<void> {
    for (let index = 0; !this.#stopping; index += 1) {
      const tag = `${name}-${index}`
      const started = performance.now()
      const startedAt = Date.now()
      const run = await execa(
        'node',
        [
          cliBin,
          'track',
          'smoke-track',
          '--workflow-path',
          tag,
          '--duration',
          '0.5',
          '--json-file',
          jsonFile,
          '--db',
          dbUrl,
        ],
        { reject: false },
      )
      this.#trackMs.push(performance.now() - started)
      const failure = `skill-metrics track ${tag} exited ${run.exitCode}: ${String(run.stderr).trim()}`
      if (run.exitCode === 0) this.#trackReturned.push(tag)
      else if (run.exitCode === 4)
        this.#trackRefused.push({ tag, startedAt, endedAt: Date.now(), detail: failure })
      else this.errors.push(failure)
    }
  }

  async #libraryLines(log: string): Promise<Array<{ tag: string; ms: number }>> {
    const text = await readFile(log, 'utf8').catch(() => '')
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [tag, ms] = line.split(' ')
        return { tag: tag!, ms: Number(ms) }
      })
  }

  /** Every tag whose writes returned so far. */
  async returned(): Promise<string[]> {
    const tags = [...this.#trackReturned]
    for (const { log } of this.#library)
      tags.push(...(await this.#libraryLines(log)).map((line) => line.tag))
    return tags
  }

  /** The writes refused with exit 4 since the last call (a library writer logs its own). */
  async takeRefusals(): Promise<Refusal[]> {
    const refusals = this.#trackRefused
    this.#trackRefused = []
    for (const { log } of this.#library) {
      const refusedLog = `${log}.refused`
      const text = await readFile(refusedLog, 'utf8').catch(() => '')
      // Whole lines only: the writer may be appending one now.
      const lines = text
        .slice(0, text.lastIndexOf('\n') + 1)
        .split('\n')
        .filter(Boolean)
      refusals.push(
        ...lines.slice(this.#linesSeen.get(refusedLog) ?? 0).map((line) => {
          const { tag, startedAt, endedAt, message } = JSON.parse(line)
          return {
            tag,
            startedAt,
            endedAt,
            detail: `library call ${tag} refused with exit 4: ${message}`,
          }
        }),
      )
      this.#linesSeen.set(refusedLog, lines.length)
    }
    return refusals
  }

  /**
   * The longest a writer was held since the last call, in ms: a library call (a start or a
   * completion) or a whole `skill-metrics track` process (its start-up included); null if none.
   */
  async takeLongestWriteMs(): Promise<number | null> {
    const times = this.#trackMs
    this.#trackMs = []
    for (const { log } of this.#library) {
      const lines = await this.#libraryLines(log)
      times.push(...lines.slice(this.#linesSeen.get(log) ?? 0).map((line) => line.ms))
      this.#linesSeen.set(log, lines.length)
    }
    return times.length === 0 ? null : Math.max(...times)
  }

  async stop(): Promise<void> {
    if (this.#stopping) return
    this.#stopping = true
    await writeFile(this.#stopFile, '')
    await Promise.all(this.#trackLoops)
    for (const { run } of this.#library) {
      const result = await run
      if (result.exitCode !== 0)
        this.errors.push(
          `a library writer exited ${result.exitCode}: ${String(result.stderr).trim()}`,
        )
    }
  }
}
