import { resolve } from 'node:path'
import { Command, Errors, type Interfaces, ux } from '@oclif/core'
import {
  ExitCode,
  exitCodeOf,
  InterruptedError,
  type JsonValue,
  pyJson,
  RefusedError,
  SkillMetricsError,
  UsageError,
} from '@skill-metrics/core'
import {
  asDatabaseFailure,
  type DatabaseTarget,
  databaseOfLegacyFile,
  missingLegacyFileWarning,
  modeForFilesBeside,
  requireLastingDatabase,
} from '@skill-metrics/migration/start'
import { globalFlags } from './flags.js'
import { parseConnectTimeoutMs } from './inputs.js'

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

/** What a failed run adds to its JSON document under `--json` (the whole document when it printed nothing). */
export interface JsonError {
  error: { code: string; message: string; nextStep: string | null; exitCode: ExitCode }
}

type JsonDocument = JsonValue | object

/** Shared flags, parsing, JSON output and the one place where errors become exit codes. */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true

  static override baseFlags = globalFlags

  /**
   * What a command writes to the database must outlive the process, so it refuses an in-memory
   * SQLite database. One that never writes it (reads, status, health) may take one: the database
   * is empty, but nothing is lost, and `summary` reads the legacy file before any phase anyway.
   */
  static writesDatabase = true

  /**
   * Commands that read the legacy file warn on stderr when it does not exist: a mistyped
   * `--json-file`, or the wrong folder, reads as an empty tracker.
   */
  static readsLegacyFile = false

  protected flags!: CommandFlags<T>
  protected args!: CommandArgs<T>
  /** `--json-file`, absolute. */
  protected jsonFile!: string
  protected database!: DatabaseTarget
  /**
   * The result `printJson` was given, printed when the command ends: a run that fails after it
   * has a result (rejected records, differences, failed checks) prints one document, the result
   * with the error in it, so stdout always parses as a single JSON value.
   */
  #jsonResult: JsonDocument | undefined

  override async init(): Promise<void> {
    await super.init()
    let parsed: Awaited<ReturnType<typeof this.parse>>
    try {
      parsed = await this.parse(this.ctor)
    } catch (error) {
      // Whatever oclif's parser rejects (unknown flag, missing argument, bad integer) is usage.
      if (error instanceof SkillMetricsError) throw error
      throw new UsageError(error instanceof Error ? error.message : String(error), { cause: error })
    }
    this.flags = parsed.flags as CommandFlags<T>
    this.args = parsed.args as CommandArgs<T>
    this.jsonFile = resolve(this.flags['json-file'])
    this.database = {
      ...(await databaseOfLegacyFile(this.jsonFile, this.flags.db)),
      fileMode: await modeForFilesBeside(this.jsonFile),
      connectTimeoutMs: parseConnectTimeoutMs(this.flags['connect-timeout']),
    }
    const ctor = this.ctor as typeof BaseCommand
    if (ctor.writesDatabase) requireLastingDatabase(this.database)
    if (ctor.readsLegacyFile) {
      const warning = await missingLegacyFileWarning(this.jsonFile)
      if (warning !== null) ux.stderr(`Warning: ${warning}`)
    }
  }

  /**
   * A dry run whose real run would be refused says so with the refusal's exit code (4), so a
   * script can try a step before it takes it; nothing was changed, and the checks were printed.
   */
  protected refuseLikeTheRealRun(wouldRefuse: string | undefined): void {
    if (wouldRefuse === undefined) return
    throw new RefusedError(`dry run: the real run would be refused: ${wouldRefuse}`, {
      nextStep:
        'Nothing was changed. Fix what failed, or pass --force --reason R where it may be passed.',
    })
  }

  /**
   * The result under `--json`, printed once the command ends (with the error in it if it then
   * fails): ordered JSON values (Maps) exactly as Python would.
   */
  protected printJson(value: JsonDocument): void {
    this.#jsonResult = value
  }

  override async finally(error: Error | undefined): Promise<void> {
    await super.finally(error)
    // A failed run printed its document in `catch`.
    if (error === undefined && this.#jsonResult !== undefined) printDocument(this.#jsonResult)
  }

  override async catch(caught: Error & { exitCode?: number }): Promise<never> {
    const thrown: Error = caught instanceof Error ? caught : new Error(String(caught))
    const exitCode = this.#report(this.#known(thrown), thrown)
    // oclif's handler exits with `oclif.exit` of what `catch` throws; an ExitError prints nothing.
    process.exitCode = exitCode
    throw new Errors.ExitError(exitCode)
  }

  /**
   * For a long command: on SIGINT or SIGTERM (Ctrl-C, a service manager, a CI time-out) the run
   * ends at once with what `progress` says was done, the exact command to rerun, and exit 130 or
   * 143 (one JSON document under --json). It does not wait for the step under way: every such
   * command keeps what it committed and is safe to stop anywhere and rerun, as after kill -9.
   * `beforeExit` puts the terminal back (a progress bar).
   */
  protected stopOnSignal(progress: () => string, beforeExit?: () => void): void {
    const stop = (signal: 'SIGINT' | 'SIGTERM') => {
      beforeExit?.()
      const error = new InterruptedError(
        signal,
        `${this.id?.replaceAll(':', ' ')} stopped by ${signal}: ${progress()}`,
        {
          nextStep: `Rerun: ${this.#rerunCommand()}`,
        },
      )
      // Exiting runs the exit handlers that release the writers' lock this process holds.
      process.exit(this.#report(error, error))
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  }

  /** Prints a failure: one JSON document under --json, else the message and next step on stderr. */
  #report(error: Error, thrown: Error): ExitCode {
    const exitCode = exitCodeOf(error)
    const nextStep = error instanceof SkillMetricsError ? error.nextStep : undefined
    if (this.jsonEnabled()) {
      const body: JsonError['error'] = {
        code: error instanceof SkillMetricsError ? error.code : 'BUG',
        message: error.message,
        nextStep: nextStep ?? null,
        exitCode,
      }
      printDocument(withError(this.#jsonResult, body))
    }
    if (exitCode === ExitCode.bug) {
      ux.stderr(`Bug: ${thrown.stack ?? thrown.message}`)
    } else if (!this.jsonEnabled()) {
      ux.stderr(`Error: ${error.message}`)
      if (nextStep !== undefined) ux.stderr(`Next step: ${nextStep}`)
      // An operator's error needs no stack, but whoever debugs one may want where it came from.
      if (process.env.DEBUG) ux.stderr(stackOf(error))
    }
    return exitCode
  }

  /** This run's command line as typed, quoted for a POSIX shell. */
  #rerunCommand(): string {
    return [this.config.bin, ...(this.id ?? '').split(':'), ...this.argv]
      .map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`))
      .join(' ')
  }

  /** Our errors as they are; oclif's usage errors translated; the rest are bugs. */
  #known(error: Error): Error {
    if (error instanceof SkillMetricsError) return error
    const databaseFailure =
      this.database === undefined ? error : asDatabaseFailure(error, this.database)
    if (databaseFailure !== error) return databaseFailure as Error
    if (error instanceof Errors.CLIError && error.oclif.exit === ExitCode.usage) {
      return new UsageError(error.message, { cause: error })
    }
    return error
  }
}

function printDocument(document: JsonDocument): void {
  ux.stdout(document instanceof Map ? pyJson(document) : JSON.stringify(document, null, 2))
}

/** The result with `error` added as its last key; `{error}` alone when there was no result. */
function withError(result: JsonDocument | undefined, error: JsonError['error']): JsonDocument {
  if (result instanceof Map) return new Map([...result, ['error', new Map(Object.entries(error))]])
  if (typeof result === 'object' && result !== null && !Array.isArray(result))
    return { ...result, error }
  return { error }
}

/** The error's stack and those of its causes, for `DEBUG`. */
function stackOf(error: unknown): string {
  const own = error instanceof Error ? (error.stack ?? error.message) : String(error)
  const cause = error instanceof Error ? error.cause : undefined
  return cause === undefined ? own : `${own}\nCaused by: ${stackOf(cause)}`
}
