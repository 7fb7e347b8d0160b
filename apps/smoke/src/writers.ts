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
      if (run.exitCode === 0) this.#trackReturned.push(tag)
      else
        this.errors.push(
          `skill-metrics track ${tag} exited ${run.exitCode}: ${String(run.stderr).trim()}`,
        )
    }
  }

  /** Every tag whose writes returned so far. */
  async returned(): Promise<string[]> {
    const tags = [...this.#trackReturned]
    for (const { log } of this.#library) {
      const text = await readFile(log, 'utf8').catch(() => '')
      tags.push(...text.split('\n').filter(Boolean))
    }
    return tags
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
