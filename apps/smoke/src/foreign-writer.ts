import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { execa, type ResultPromise } from 'execa'

// From apps/smoke/src (vitest) and apps/smoke/dist (the built smoke) alike: three levels up is
// the repository's root.
export const foreignWriterScript = fileURLToPath(
  new URL('../../../packages/testing/python/foreign_writer.py', import.meta.url),
)

/** How long the writer may take to acknowledge a pause or a resume: it sleeps at most 0.5 s between saves. */
const ACK_TIMEOUT_MS = 15_000
const EXIT_TIMEOUT_MS = 30_000
/**
 * Saves it makes between a resume and the next pause (0.05–0.5 s apart): each `data migrate`
 * then has something it erased to put back, however short the steps in between.
 */
export const SAVES_BETWEEN_PAUSES = 2

/**
 * The original Python tracker, run as a writer the tool does not control: it loaded the legacy
 * file once and saves its whole state in place at random moments, with no lock, erasing what
 * others wrote since its load (`packages/testing/python/foreign_writer.py`). The harness moves it
 * aside (pauses it) where a person migrating would: across each validation and guard that needs
 * a quiet file, and across each `data migrate` until that step's invariants are checked.
 */
export class ForeignWriter {
  readonly #control: string
  readonly #run: ResultPromise
  #exit: { code: number | undefined; stderr: string } | undefined
  #holds = 0
  #pausedFrom = 0
  #pausedMs = 0
  #stopped = false
  #exitReported = false
  #saves = 0
  #savesAtResume = 0
  /**
   * Whether a save since the last restore may have erased our writers' invocations from the file:
   * true once it runs unpaused, false after a `data migrate` (or a validation loop that ended in
   * one) finished while it was paused.
   */
  mayHaveErased = true

  private constructor(control: string, run: ResultPromise) {
    this.#control = control
    this.#run = run
    void run.then((result) => {
      this.#exit = { code: result.exitCode, stderr: String(result.stderr) }
    })
  }

  /** Starts it on `jsonFile`, its control folder in `dir`; throws what is missing to run it. */
  static async start(dir: string, jsonFile: string): Promise<ForeignWriter> {
    const python = await execa('python3', ['--version'], { reject: false })
    if (python.failed)
      throw new Error(
        `--foreign-writer needs python3 on the PATH to run ${foreignWriterScript}: ${python.message}`,
      )
    await access(foreignWriterScript).catch(() => {
      throw new Error(`--foreign-writer: ${foreignWriterScript} is missing`)
    })
    const control = join(dir, 'foreign-writer')
    await mkdir(control, { recursive: true })
    const run = execa(
      'python3',
      [foreignWriterScript, jsonFile, '--random-saves', 'foreign', '--control', control],
      { reject: false },
    )
    return new ForeignWriter(control, run)
  }

  /** Every tag whose save returned (whole lines only: it may be appending one now). */
  async saved(): Promise<string[]> {
    const text = await readFile(join(this.#control, 'saved'), 'utf8').catch(() => '')
    const tags = text
      .slice(0, text.lastIndexOf('\n') + 1)
      .split('\n')
      .filter(Boolean)
    this.#saves = tags.length
    return tags
  }

  /** For the report: its saves as last read, and how long it was held paused. */
  summary(): { saves: number; pausedSeconds: number } {
    return { saves: this.#saves, pausedSeconds: this.pausedSeconds }
  }

  /** How it exited, once, if it did before it was asked to stop. */
  exitedEarly(): string | undefined {
    if (this.#exit === undefined || this.#stopped || this.#exitReported) return undefined
    this.#exitReported = true
    return `the foreign writer ${this.#describeExit()}`
  }

  get paused(): boolean {
    return this.#holds > 0 || this.#stopped
  }

  get pausedSeconds(): number {
    const now = this.#holds > 0 ? performance.now() - this.#pausedFrom : 0
    return (this.#pausedMs + now) / 1000
  }

  /**
   * Moves it aside: once this returns it saves nothing until the last `resume`. Holds nest; the
   * first waits for the writer's `paused` acknowledgement (it is then between two saves, the last
   * one logged), a stopped writer needs none.
   */
  async pause(): Promise<void> {
    this.#holds += 1
    if (this.#holds > 1 || this.#stopped) return
    await this.waitForSaves(this.#savesAtResume + SAVES_BETWEEN_PAUSES, ACK_TIMEOUT_MS)
    this.#pausedFrom = performance.now()
    await writeFile(join(this.#control, 'pause'), '')
    await this.#waitFor('paused', true, 'acknowledge the pause')
    await this.saved()
  }

  /** Lets it save again after the last hold; it may erase our writers' invocations from then on. */
  async resume(): Promise<void> {
    if (this.#holds === 0) return
    this.#holds -= 1
    if (this.#holds > 0 || this.#stopped) return
    this.#pausedMs += performance.now() - this.#pausedFrom
    this.mayHaveErased = true
    await rm(join(this.#control, 'pause'), { force: true })
    // Gone only once it left its wait: a later pause cannot mistake the old file for a new ack.
    await this.#waitFor('paused', false, 'acknowledge the resume')
    this.#savesAtResume = (await this.saved()).length
  }

  /** A `data migrate` finished while it was paused: every invocation of ours is back in the file. */
  restored(): void {
    if (this.paused) this.mayHaveErased = false
  }

  /** Waits (up to `timeoutMs`) until it has saved `count` times in all. */
  async waitForSaves(count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while ((await this.saved()).length < count) {
      if (this.#exit !== undefined)
        throw new Error(`the foreign writer exited: ${this.#describeExit()}`)
      if (Date.now() > deadline)
        throw new Error(
          `the foreign writer saved fewer than ${count} times in ${timeoutMs / 1000} s`,
        )
      await sleep(50)
    }
  }

  /** Asks it to stop and waits for its exit; the error it exited with, if any. */
  async stop(): Promise<string | undefined> {
    if (this.#stopped) return undefined
    if (this.#holds > 0) this.#pausedMs += performance.now() - this.#pausedFrom
    this.#holds = 0
    this.#stopped = true
    await writeFile(join(this.#control, 'stop'), '')
    const exited = await Promise.race([this.#run, sleep(EXIT_TIMEOUT_MS).then(() => undefined)])
    if (exited === undefined) {
      this.#run.kill('SIGKILL')
      await this.#run
      return `the foreign writer did not exit within ${EXIT_TIMEOUT_MS / 1000} s of its stop file`
    }
    await this.saved()
    return exited.exitCode === 0 ? undefined : `the foreign writer ${this.#describeExit(exited)}`
  }

  async #waitFor(file: string, exists: boolean, what: string): Promise<void> {
    const path = join(this.#control, file)
    const deadline = Date.now() + ACK_TIMEOUT_MS
    for (;;) {
      const present = await access(path).then(
        () => true,
        () => false,
      )
      if (present === exists) return
      if (this.#exit !== undefined)
        throw new Error(`the foreign writer could not ${what}: it ${this.#describeExit()}`)
      if (Date.now() > deadline)
        throw new Error(`the foreign writer did not ${what} within ${ACK_TIMEOUT_MS / 1000} s`)
      await sleep(10)
    }
  }

  #describeExit(
    exit: { exitCode?: number; stderr?: unknown } = {
      exitCode: this.#exit?.code,
      stderr: this.#exit?.stderr,
    },
  ): string {
    return `exited ${exit.exitCode}: ${String(exit.stderr ?? '')
      .trim()
      .slice(-400)}`
  }
}
