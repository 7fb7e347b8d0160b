import { access, readFile, writeFile } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { execa, type Result, type ResultPromise } from 'execa'
import type { Refusal } from './invariants.js'

const libraryWriter = fileURLToPath(new URL('../bin/library-writer.js', import.meta.url))
const pythonWriter = fileURLToPath(new URL('../bin/python-writer.py', import.meta.url))
// From apps/smoke/src (vitest) and apps/smoke/dist (the built smoke) alike: three levels up is
// the repository's root.
const pythonClient = fileURLToPath(new URL('../../../clients/python', import.meta.url))
export const cliBin = fileURLToPath(new URL('../../cli/bin/run.js', import.meta.url))

/** The skill the Python writers record: their tags are told from the others' by it. */
export const PYTHON_SKILL = 'smoke-python'
/**
 * How long a stopped Python writer may take to exit: its last completion (2 s at most) and the
 * `journal apply` runs that outlived their bound, which it waits for (up to 120 s).
 */
const PYTHON_EXIT_TIMEOUT_MS = 180_000

/** What is missing to run the Python writers, if anything: python3, the script, the package. */
export async function pythonWritersMissing(): Promise<string | undefined> {
  const python = await execa('python3', ['--version'], { reject: false })
  if (python.failed) return `--python-writers needs python3 on the PATH: ${python.message}`
  for (const path of [pythonWriter, join(pythonClient, 'skill_metrics', '__init__.py')]) {
    const missing = await access(path).then(
      () => false,
      () => true,
    )
    if (missing) return `--python-writers: ${path} is missing`
  }
  return undefined
}

/** A command line for `shlex.split`, each word single-quoted. */
const shellWords = (words: string[]) =>
  words.map((word) => `'${word.replaceAll("'", `'"'"'`)}'`).join(' ')

/**
 * The writers that run through the whole lifecycle: long-running library processes (following
 * every phase through `openTracker`), loops of short `skill-metrics track` processes and, with
 * `--python-writers`, long-running Python processes using the drop-in (`clients/python`). Each tag
 * is known as returned only once its writer's writes returned: those are the invocations that
 * must never be lost. A write refused with exit 4 is kept apart, with when it ran: whether that
 * is an error depends on when the disk was full (see `judgeRefusals`).
 *
 * A Python completer that returned has put its entry in the group-commit journal (durable) but
 * may have left it there, waiting for a later write, `journal apply` or `data migrate`: its tag
 * is only sure to be in the source of truth once the journal was applied after the writers
 * stopped (`pythonSettled`), and until then it is only looked for counted twice.
 */
export class Writers {
  readonly #stopFile: string
  readonly #library: Array<{ log: string; run: ResultPromise }> = []
  readonly #python: Array<{
    name: string
    log: string
    run: ResultPromise
    exitedEarly: boolean
  }> = []
  /** Set once `journal apply` ran with every Python writer stopped: each of their tags is due. */
  pythonSettled = false
  readonly #trackLoops: Promise<void>[] = []
  readonly #trackReturned: string[] = []
  #trackRefused: Refusal[] = []
  #trackMs: number[] = []
  readonly #linesSeen = new Map<string, number>()
  readonly errors: string[] = []
  #stopping = false

  constructor(dir: string, jsonFile: string, dbUrl: string, count: number, python = 0) {
    this.#stopFile = join(dir, 'stop-writers')
    for (let index = 0; index < python; index += 1) {
      const name = `py${index}`
      const log = join(dir, `python-${index}.log`)
      const run = execa('python3', [pythonWriter, jsonFile, name, this.#stopFile, log], {
        reject: false,
        env: {
          PYTHONPATH: [pythonClient, process.env.PYTHONPATH].filter(Boolean).join(delimiter),
          SKILL_METRICS_CLI: shellWords(['node', cliBin]),
          SKILL_METRICS_DB: dbUrl,
          // Nothing written into clients/python (its __pycache__): the package is only read.
          PYTHONDONTWRITEBYTECODE: '1',
        },
      })
      const writer = { name, log, run, exitedEarly: false }
      // One that exits before it was asked to stop is an error now, not at the end of the run.
      void run.then((result) => {
        if (this.#stopping) return
        writer.exitedEarly = true
        this.errors.push(this.#pythonExit(name, result))
      })
      this.#python.push(writer)
    }
    const others = count - python
    const library = Math.ceil(others / 2)
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
    for (let index = 0; index < others - library; index += 1)
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

  /** A writer's log of returned tags: whole lines only, it may be appending one now. */
  async #loggedLines(log: string): Promise<Array<{ tag: string; ms: number }>> {
    const text = await readFile(log, 'utf8').catch(() => '')
    return text
      .slice(0, text.lastIndexOf('\n') + 1)
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [tag, ms] = line.split(' ')
        return { tag: tag!, ms: Number(ms) }
      })
  }

  /** Every tag whose writes returned so far, but the Python writers'. */
  async returned(): Promise<string[]> {
    const tags = [...this.#trackReturned]
    for (const { log } of this.#library)
      tags.push(...(await this.#loggedLines(log)).map((line) => line.tag))
    return tags
  }

  /** Every tag whose Python completer returned so far (applied, or waiting in the journal). */
  async pythonReturned(): Promise<string[]> {
    const tags: string[] = []
    for (const { log } of this.#python)
      tags.push(...(await this.#loggedLines(log)).map((line) => line.tag))
    return tags
  }

  get pythonCount(): number {
    return this.#python.length
  }

  /**
   * The writes refused with exit 4 since the last call (a library writer logs its own), and the
   * failures a Python writer's drop-in logged (judged alike: an error, but for a full disk).
   */
  async takeRefusals(): Promise<Refusal[]> {
    const refusals = this.#trackRefused
    this.#trackRefused = []
    const logs = [
      ...this.#library.map(({ log }) => ({ file: `${log}.refused`, what: 'library call' })),
      ...this.#python.map(({ log }) => ({ file: `${log}.errors`, what: 'python completion' })),
    ]
    for (const { file: refusedLog, what } of logs) {
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
            detail:
              what === 'library call'
                ? `library call ${tag} refused with exit 4: ${message}`
                : `python completion ${tag ?? '(after the last)'} logged: ${message}`,
          }
        }),
      )
      this.#linesSeen.set(refusedLog, lines.length)
    }
    return refusals
  }

  /**
   * The longest a writer was held since the last call, in ms: a library call (a start or a
   * completion), a whole `skill-metrics track` process (its start-up included) or a Python
   * completer (bounded: 2 s and the journal's append); null if none.
   */
  async takeLongestWriteMs(): Promise<number | null> {
    const times = this.#trackMs
    this.#trackMs = []
    for (const { log } of [...this.#library, ...this.#python]) {
      const lines = await this.#loggedLines(log)
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
    for (const writer of this.#python) {
      const { name, run } = writer
      // One that exited before the stop was reported then.
      if (writer.exitedEarly) continue
      const timer = new AbortController()
      const exited = await Promise.race([
        run,
        sleep(PYTHON_EXIT_TIMEOUT_MS, undefined, { signal: timer.signal }),
      ])
      timer.abort()
      if (exited === undefined) {
        run.kill('SIGKILL')
        await run
        this.errors.push(
          `python writer ${name} did not exit within ${PYTHON_EXIT_TIMEOUT_MS / 1000} s of the stop file (killed)`,
        )
        continue
      }
      if (exited.exitCode !== 0 || String(exited.stderr).trim() !== '')
        this.errors.push(this.#pythonExit(name, exited))
    }
  }

  #pythonExit(name: string, result: Result): string {
    const how = result.signal ?? `exit ${result.exitCode}`
    const stderr = String(result.stderr).trim()
    return `python writer ${name} (${how})${this.#stopping ? '' : ' before the stop'}: ${stderr === '' ? '(nothing on stderr)' : stderr.slice(-2_000)}`
  }
}
