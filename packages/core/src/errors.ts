/** Process exit codes, shared by every command (ARCHITECTURE §7). */
export const ExitCode = {
  ok: 0,
  bug: 1,
  usage: 2,
  badInput: 3,
  refused: 4,
  inconsistency: 5,
  /** 128 + SIGINT's number, as a shell reports a process Ctrl-C stopped. */
  interrupted: 130,
  /** 128 + SIGTERM's number. */
  terminated: 143,
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

export interface SkillMetricsErrorOptions {
  cause?: unknown
  /** What the user should do next; printed under the message. */
  nextStep?: string
}

/** Base of every error this project throws on purpose; the CLI maps `exitCode` in one place. */
export abstract class SkillMetricsError extends Error {
  abstract readonly code: string
  abstract readonly exitCode: ExitCode
  readonly nextStep: string | undefined

  constructor(message: string, options: SkillMetricsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.nextStep = options.nextStep
  }
}

/** A defect in this program or a misuse of its API: exit 1, keep the stack. */
export class BugError extends SkillMetricsError {
  readonly code: string = 'BUG'
  readonly exitCode = ExitCode.bug
}

/** A completer was called a second time; the first call already counted the invocation. */
export class CompleterAlreadyCalledError extends BugError {
  override readonly code = 'COMPLETER_ALREADY_CALLED'
  constructor(skillName: string, invokedAt: string) {
    super(
      `the completer of "${skillName}" invoked at ${invokedAt} was already called; an invocation completes once`,
    )
  }
}

/** Flags or arguments that do not make sense: exit 2. */
export class UsageError extends SkillMetricsError {
  readonly code = 'USAGE'
  readonly exitCode = ExitCode.usage
}

/** Where in a legacy file a problem is: the file, the record (index or skill) and the field. */
export interface InputLocation {
  file: string
  record?: string
  field?: string
}

/** Unreadable or invalid input (a file, a record, a database URL, a migrations folder): exit 3; the input is left as it was. */
export class BadInputError extends SkillMetricsError {
  readonly code = 'BAD_INPUT'
  readonly exitCode = ExitCode.badInput
  readonly location: InputLocation

  constructor(location: InputLocation, problem: string, options: SkillMetricsErrorOptions = {}) {
    super(`${formatLocation(location)}: ${problem}`, options)
    this.location = location
  }
}

export function formatLocation({ file, record, field }: InputLocation): string {
  const where = [record, field].filter((part) => part !== undefined && part !== '').join('.')
  return where === '' ? file : `${file} ${where}`
}

/** A guard, a precondition or a lock said no: exit 4; nothing was changed. */
export class RefusedError extends SkillMetricsError {
  readonly code: string = 'REFUSED'
  readonly exitCode = ExitCode.refused
}

/** The writers' lock could not be taken within its bound. */
export class LockTimeoutError extends RefusedError {
  override readonly code = 'LOCK_TIMEOUT'
}

/**
 * Another program kept saving the legacy file without the writers' lock while a command had to
 * replace it whole: every save was taken in first, but the last one always landed before the
 * replacement could. Exit 4; the operator moves that program aside and runs the command again.
 */
export class ForeignWriterBusyError extends RefusedError {
  override readonly code = 'FOREIGN_WRITER_BUSY'
}

/**
 * A file could not be written whole: no space (ENOSPC, EDQUOT), an I/O error (EIO), a write the
 * file system accepted only in part, or a copy that did not read back as written. Exit 4: the file
 * it was replacing is left byte for byte as it was.
 */
export class WriteFailedError extends RefusedError {
  override readonly code: string
  readonly path: string

  constructor(
    code: 'NO_SPACE' | 'WRITE_FAILED',
    path: string,
    message: string,
    options: SkillMetricsErrorOptions = {},
  ) {
    super(message, options)
    this.code = code
    this.path = path
  }
}

/**
 * The database could not be reached or opened: refused, timed out, a name that does not resolve,
 * authentication, a missing database or role, a SQLite file that cannot be opened or created, or
 * a connection lost mid-run. Exit 4: an operator's matter, not a bug; whatever transaction was
 * open was rolled back by the database. The message names where (password masked) and what to
 * check, on one line.
 */
export class DatabaseUnavailableError extends RefusedError {
  override readonly code = 'DATABASE_UNAVAILABLE'
}

/** The phase moved on since this process read it: it must reopen its tracker before writing. */
export class StaleEpochError extends RefusedError {
  override readonly code = 'STALE_EPOCH'
}

/** A comparison found a difference: exit 5. */
export class InconsistencyError extends SkillMetricsError {
  readonly code = 'INCONSISTENCY'
  readonly exitCode = ExitCode.inconsistency
}

/**
 * SIGINT or SIGTERM stopped a long command before it finished: exit 130 or 143, as a shell
 * reports a process the signal stopped. What it committed stays; the rest is done by a rerun.
 */
export class InterruptedError extends SkillMetricsError {
  readonly code = 'INTERRUPTED'
  readonly exitCode: typeof ExitCode.interrupted | typeof ExitCode.terminated

  constructor(
    signal: 'SIGINT' | 'SIGTERM',
    message: string,
    options: SkillMetricsErrorOptions = {},
  ) {
    super(message, options)
    this.exitCode = signal === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated
  }
}

/** The exit code for anything thrown: ours carry one, anything else is a bug. */
export function exitCodeOf(error: unknown): ExitCode {
  return error instanceof SkillMetricsError ? error.exitCode : ExitCode.bug
}
