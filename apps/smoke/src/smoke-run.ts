import { cp, mkdir, mkdtemp, rename, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { execa } from 'execa'
import { createDatabase, type Database } from './database.js'
import type { DiskFullReport, Tmpfs } from './disk-full.js'
import type { ForeignWriter } from './foreign-writer.js'
import {
  aggregatesMatchRecords,
  type FullPeriod,
  judgeRefusals,
  lostOrDoubled,
  type Refusal,
  type Violation,
} from './invariants.js'
import type { Options } from './options.js'
import type { SmokeReport, StepReport } from './report.js'
import { logLines, readLegacyFile, type StoreContent } from './stores.js'
import { cliBin, PYTHON_SKILL, type Writers } from './writers.js'

/** The distinct tags of the Python writers' invocations in a store. */
function pythonTagsIn(content: StoreContent): string[] {
  const tags = new Set<string>()
  for (const invocation of content.invocations)
    if (invocation.skill_name === PYTHON_SKILL && invocation.workflow_path !== null)
      tags.add(invocation.workflow_path)
  return [...tags]
}

/** A CLI step that exits non-zero where the lifecycle expects 0. */
export class StepFailed extends Error {}

/** The invariants of one step, checked after it beside those that hold after every step. */
type StepInvariants = () => Promise<Violation[]>

export interface StepOptions {
  /**
   * When the foreign writer (with `--foreign-writer`) is held paused: `during` the step, from its
   * start until its invariants were checked (a save right after a `data migrate` would erase our
   * writers' invocations before the check looks for them); `from` its start on, until the end of
   * a later step run `until` (across a validation and the guard that needs it).
   */
  foreignWriterPaused?: 'during' | 'from' | 'until'
}

/**
 * One run of the lifecycle: its folder, legacy file and database, the writers once started, the
 * steps so far and what they violated. A step is a `runStep` call; the first that fails throws.
 */
export class SmokeRun {
  readonly options: Options
  readonly dir: string
  readonly stateDir: string
  readonly jsonFile: string
  /** Where `generate` writes: with `--disk-full`, beside the folder the tmpfs is mounted on. */
  readonly generated: string
  readonly db: Database
  readonly steps: StepReport[] = []
  readonly violations: SmokeReport['violations'] = []
  writers: Writers | undefined
  /** With `--foreign-writer`, once `writers start` started it. */
  foreign: ForeignWriter | undefined
  /** With `--disk-full` only; the disk-full steps fill it in. */
  readonly diskFull: DiskFullReport | undefined
  tmpfs: Tmpfs | undefined
  full: FullPeriod | undefined
  readonly refusedWhileFull: Refusal[] = []
  readonly #refusalViolations: Violation[] = []
  readonly #started: number
  #freezeMs: number | undefined
  /** The Python writers' returned tags the truth lacked at the last check, for the step's row. */
  #pythonWaiting: number | undefined

  private constructor(
    options: Options,
    dir: string,
    stateDir: string,
    db: Database,
    started: number,
  ) {
    this.options = options
    this.dir = dir
    this.stateDir = stateDir
    this.jsonFile = join(this.stateDir, 'skill_metrics.json')
    this.db = db
    this.diskFull = options['disk-full'] ? { refused: 0 } : undefined
    // The file is measured before it is copied onto a tmpfs sized for it.
    this.generated = this.diskFull === undefined ? this.jsonFile : join(dir, 'generated.json')
    this.#started = started
  }

  static async start(options: Options): Promise<SmokeRun> {
    const started = performance.now()
    const dir = await mkdtemp(join(tmpdir(), 'skill-metrics-smoke-'))
    const stateDir = join(dir, '.session-buddy')
    await mkdir(stateDir)
    // With --disk-full a tmpfs is mounted on the file's folder: the SQLite database goes there too.
    const db = await createDatabase(options.dialect, options['disk-full'] ? stateDir : dir)
    return new SmokeRun(options, dir, stateDir, db, started)
  }

  cli(args: string[]) {
    return execa('node', [cliBin, ...args, '--json-file', this.jsonFile, '--db', this.db.url], {
      reject: false,
    })
  }

  async expectOk(args: string[]) {
    const run = await this.cli(args)
    if (run.exitCode !== 0)
      throw new StepFailed(
        `skill-metrics ${args.join(' ')} exited ${run.exitCode}: ${String(run.stderr || run.stdout)
          .trim()
          .slice(0, 400)}`,
      )
    return run
  }

  /**
   * Runs a command; with chaos, kills it with SIGKILL at a random moment first, then checks that
   * `status` answers and that a rerun finishes the work.
   */
  async runWithChaos(
    args: string[],
    killWithinMs?: number,
    onFinished?: (stdout: string) => void,
  ): Promise<string | undefined> {
    if (killWithinMs === undefined) {
      const finished = await this.expectOk(args)
      onFinished?.(String(finished.stdout))
      return undefined
    }
    const killed = this.cli(args)
    await Promise.race([sleep(Math.floor(Math.random() * killWithinMs)), killed])
    killed.kill('SIGKILL')
    const outcome = await killed
    await this.expectOk(['status', '--json'])
    const rerun = await this.expectOk(args)
    onFinished?.(String(rerun.stdout))
    return outcome.exitCode === 0 ? 'finished before the kill' : 'killed, status answered, rerun ok'
  }

  /** How long the step's freeze held the writers' lock, as the command that froze reported it. */
  noteFreeze(ms: number | undefined): void {
    this.#freezeMs = ms
  }

  /** The writers' refusals so far: counted while the disk was full, errors otherwise. */
  async collectRefusals(): Promise<void> {
    const judged = judgeRefusals((await this.writers?.takeRefusals()) ?? [], this.full)
    this.refusedWhileFull.push(...judged.during)
    this.#refusalViolations.push(...judged.violations)
  }

  /**
   * Runs one step and adds its row; the result is what `work` returns, or "ok". The first failed
   * or violated step ends the run: what follows would build on a broken state.
   */
  async runStep(
    step: string,
    work: () => Promise<string | undefined>,
    stepInvariants?: StepInvariants,
    { foreignWriterPaused }: StepOptions = {},
  ): Promise<void> {
    const stepStarted = performance.now()
    const pauses = foreignWriterPaused === 'during' || foreignWriterPaused === 'from'
    const resumes = foreignWriterPaused === 'during' || foreignWriterPaused === 'until'
    let result: string
    let failed = false
    try {
      if (pauses) await this.foreign?.pause()
      result = (await work()) ?? 'ok'
    } catch (error) {
      failed = true
      result = `FAILED: ${(error as Error).message}`
      this.violations.push({
        step,
        invariant: 'every step succeeds',
        detail: (error as Error).message,
      })
    }
    const found = await this.#check(step, stepInvariants)
    const longestWriteMs = (await this.writers?.takeLongestWriteMs()) ?? null
    const row: StepReport = {
      step,
      seconds: (performance.now() - stepStarted) / 1000,
      json: (await this.legacyFile().catch(() => null))?.invocations.length ?? null,
      db: await this.db.reader.count(),
      mismatches: await this.#mismatches(),
      longestWriteSeconds: longestWriteMs === null ? null : longestWriteMs / 1000,
      ...(this.#freezeMs === undefined ? {} : { freezeSeconds: this.#freezeMs / 1000 }),
      ...(this.foreign === undefined ? {} : { foreignSaves: (await this.foreign.saved()).length }),
      ...(this.#pythonWaiting === undefined ? {} : { pythonWaiting: this.#pythonWaiting }),
      result: found > 0 && !failed ? `${found} violation(s)` : result,
    }
    this.#freezeMs = undefined
    this.steps.push(row)
    if (failed || found > 0) throw new StepFailed(result)
    try {
      if (resumes) await this.foreign?.resume()
    } catch (error) {
      this.violations.push({
        step,
        invariant: 'every step succeeds',
        detail: (error as Error).message,
      })
      row.result = `FAILED: ${(error as Error).message}`
      throw new StepFailed(row.result)
    }
  }

  /**
   * The legacy file as it is now. A foreign writer that is not paused saves in place: a read
   * in the middle of its save sees a truncated file, so one that does not parse is read again
   * (for up to 2 s) before it counts as unparseable.
   */
  async legacyFile(): Promise<StoreContent | null> {
    const deadline = Date.now() + 2_000
    for (;;) {
      try {
        return await readLegacyFile(this.jsonFile)
      } catch (error) {
        const foreignSaving = this.foreign !== undefined && !this.foreign.paused
        if (!(error instanceof SyntaxError) || !foreignSaving || Date.now() > deadline) throw error
        await sleep(20)
      }
    }
  }

  /** The store that is the source of truth in the phase the database names. */
  async truth(): Promise<{ content: StoreContent | null; where: string }> {
    const phase = (await this.db.reader.phase())?.phase ?? 'json-only'
    return phase === 'db-primary' || phase === 'cleaned'
      ? { content: await this.db.reader.content(), where: 'the database' }
      : { content: await this.legacyFile(), where: 'the legacy file' }
  }

  /** Every invocation the foreign writer saved is in the source of truth of the phase, once. */
  async foreignSavesInTruth(): Promise<Violation[]> {
    if (this.foreign === undefined) return []
    const saved = await this.foreign.saved()
    const { content, where } = await this.truth()
    if (content === null)
      return saved.length === 0
        ? []
        : [{ invariant: 'no lost invocation', detail: `${where} is missing` }]
    const last = saved.at(-1)
    // Each of its saves holds every tag it ever saved. A save that opened the file just before one
    // of our renames and wrote just after it went into the replaced file (the window README's
    // "Foreign writers" names): its next save brings the tag back, so while the file is the truth
    // only the last tag before the pause may be missing. The database, the truth after cutover,
    // is never renamed over: there every tag must be present.
    const replaceable = where === 'the legacy file' ? last : undefined
    return lostOrDoubled(saved, content, where, {
      returnedTo: 'saved by the foreign writer',
    }).filter(
      (violation) =>
        !(
          replaceable !== undefined &&
          violation.invariant === 'no lost invocation' &&
          violation.detail.startsWith(`${replaceable} `)
        ),
    )
  }

  /** The invariants that hold after every step, checked on the stores as they are now. */
  async #check(step: string, stepInvariants: StepInvariants = async () => []): Promise<number> {
    const found = await this.#storeViolations()
    await this.collectRefusals()
    found.push(...this.#refusalViolations.splice(0))
    found.push(...(await stepInvariants()))
    if (this.writers !== undefined)
      found.push(
        ...this.writers.errors
          .splice(0)
          .map((detail) => ({ invariant: 'no writer gets an error', detail })),
      )
    const exited = this.foreign?.exitedEarly()
    if (exited !== undefined)
      found.push({ invariant: 'the foreign writer saves until it is stopped', detail: exited })
    for (const violation of found) this.violations.push({ step, ...violation })
    return found.length
  }

  /**
   * Nothing returned to a writer is lost or doubled in the source of truth of the phase. While
   * the file is the truth, a foreign writer's save erases our writers' invocations until the
   * next `data migrate` puts them back: then only double counts are looked for, until a
   * `data migrate` finished with the foreign writer paused. The foreign writer's own saves are
   * never counted twice. A Python writer's completion that returned may wait in the journal
   * (durable) until a later write applies it: its tag is only looked for counted twice until
   * `journal apply` ran after the writers stopped, then it must be there once, as any other.
   */
  async #storeViolations(): Promise<Violation[]> {
    const returned = (await this.writers?.returned()) ?? []
    const pythonReturned = (await this.writers?.pythonReturned()) ?? []
    const pythonLogged = new Set(pythonReturned)
    const pythonSettled = this.writers?.pythonSettled === true
    const foreignSaved = (await this.foreign?.saved()) ?? []
    const phase = (await this.db.reader.phase())?.phase ?? 'json-only'
    const found: Violation[] = []
    // The legacy file parses after every step, the source of truth or not.
    let file: StoreContent | null = null
    try {
      file = await this.legacyFile()
    } catch (error) {
      found.push({ invariant: 'the legacy file parses', detail: (error as Error).message })
    }
    this.#pythonWaiting = undefined
    const check = (content: StoreContent, where: string, lost: boolean) => {
      if ((this.writers?.pythonCount ?? 0) > 0) {
        const present = new Set(content.invocations.map((invocation) => invocation.workflow_path))
        this.#pythonWaiting = pythonReturned.filter((tag) => !present.has(tag)).length
      }
      found.push(
        ...lostOrDoubled(returned, content, where, { lost }),
        ...lostOrDoubled(pythonReturned, content, where, {
          lost: lost && pythonSettled,
          returnedTo: 'returned to its Python writer',
        }),
        // A Python completion not logged as returned (its writer killed at the stop timeout, or
        // the drop-in logged a failure) may still be applied from the journal: never twice.
        ...lostOrDoubled(
          pythonTagsIn(content).filter((tag) => !pythonLogged.has(tag)),
          content,
          where,
          { lost: false },
        ),
        ...lostOrDoubled(foreignSaved, content, where, { lost: false }),
        ...aggregatesMatchRecords(content, where),
      )
    }
    if (phase === 'db-primary' || phase === 'cleaned')
      check(await this.db.reader.content(), 'the database', true)
    else if (file !== null) check(file, 'the legacy file', this.foreign?.mayHaveErased !== true)
    return found
  }

  async #mismatches(): Promise<number> {
    const lines = await logLines(`${this.jsonFile}.dual-read-mismatches.jsonl`)
    return lines.filter((line) => line.includes('"kind":"mismatch"')).length
  }

  /** A failed step is already in the report; anything else thrown is the harness's own bug. */
  harnessFailed(error: unknown): void {
    if (error instanceof StepFailed) return
    this.violations.push({
      step: 'harness',
      invariant: 'the harness runs',
      detail: (error as Error).stack ?? String(error),
    })
  }

  /** Stops the writers and drops the database; the folder stays only when something failed. */
  async cleanUp(): Promise<void> {
    await this.writers?.stop()
    await this.foreign?.stop()
    await this.db.drop().catch(() => {})
    if (this.tmpfs !== undefined) await this.#unmount(this.tmpfs)
    if (this.violations.length === 0) await rm(this.dir, { recursive: true, force: true })
  }

  async #unmount(tmpfs: Tmpfs): Promise<void> {
    await rm(join(this.stateDir, 'smoke-disk-full.filler'), { force: true })
    // A failed run keeps its files for a look: those on the tmpfs are copied off it first.
    const kept = `${this.stateDir}.kept`
    if (this.violations.length > 0) await cp(this.stateDir, kept, { recursive: true })
    const failed = await tmpfs.unmount()
    if (failed !== undefined)
      this.violations.push({
        step: 'harness',
        invariant: 'the harness unmounts its tmpfs',
        detail: failed,
      })
    else if (this.violations.length > 0) {
      await rm(this.stateDir, { recursive: true, force: true })
      await rename(kept, this.stateDir)
    }
  }

  report(): SmokeReport {
    const { diskFull } = this
    if (diskFull !== undefined && diskFull.skipped === undefined) {
      diskFull.refused = this.refusedWhileFull.length
      diskFull.firstRefusal = this.refusedWhileFull[0]?.detail.slice(0, 400)
    }
    const { json: _json, ...shown } = this.options
    return {
      ok: this.violations.length === 0,
      options: shown,
      seconds: (performance.now() - this.#started) / 1000,
      steps: this.steps,
      violations: this.violations,
      ...(diskFull === undefined ? {} : { diskFull }),
      ...(this.foreign === undefined ? {} : { foreignWriter: this.foreign.summary() }),
    }
  }
}
