import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa, type ResultPromise } from 'execa'

const libraryWriter = fileURLToPath(new URL('../bin/library-writer.js', import.meta.url))
export const cliBin = fileURLToPath(new URL('../../cli/bin/run.js', import.meta.url))

/**
 * The writers that run through the whole lifecycle: long-running library processes (following
 * every phase through `openTracker`) and loops of short `skill-metrics track` processes. Each tag
 * is known as returned only once its writer's writes returned: those are the invocations that
 * must never be lost.
 */
export class Writers {
  readonly #stopFile: string
  readonly #library: Array<{ log: string; run: ResultPromise }> = []
  readonly #trackLoops: Promise<void>[] = []
  readonly #trackReturned: string[] = []
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
      if (run.exitCode === 0) this.#trackReturned.push(tag)
      else
        this.errors.push(
          `skill-metrics track ${tag} exited ${run.exitCode}: ${String(run.stderr).trim()}`,
        )
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
