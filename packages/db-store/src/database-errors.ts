import { dirname } from 'node:path'
import { DatabaseUnavailableError, WriteFailedError } from '@skill-metrics/core'
import { type DatabaseTarget, DEFAULT_CONNECT_TIMEOUT_MS } from './database-url.js'

/**
 * A database failure that is the operator's to fix as the user-facing error it is (exit 4, naming
 * the database and what to do), not a bug: a full disk or an I/O error (SQLite's SQLITE_FULL and
 * SQLITE_IOERR*, PostgreSQL's disk_full 53100 and io_error 58030), and a database that cannot be
 * reached or opened (`DatabaseUnavailableError`). The failed transaction was rolled back by the
 * database; committed batches stay, and every operation here resumes from them when rerun.
 * Anything else is returned as it was.
 */
export function asDatabaseFailure(error: unknown, target: DatabaseTarget): unknown {
  const code = codeOf(error)
  const where =
    target.dialect === 'sqlite'
      ? `the file system of ${dirname(target.path)}`
      : 'the database server'
  const detail = `${code}: ${(error as Error).message}`
  // SHMSIZE: the -shm file could not grow, which on Linux means the file system is full.
  if (code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_SHMSIZE' || code === '53100') {
    return new WriteFailedError(
      'NO_SPACE',
      target.display,
      `no space left for the database ${target.display} (${detail}); its last transaction was rolled back`,
      { cause: error, nextStep: `Free space on ${where}, then run the command again.` },
    )
  }
  if (code.startsWith('SQLITE_IOERR') || code === '58030') {
    return new WriteFailedError(
      'WRITE_FAILED',
      target.display,
      `the database ${target.display} could not write (${detail}); its last transaction was rolled back`,
      { cause: error, nextStep: `Check the disk of ${where}, then run the command again.` },
    )
  }
  return asUnavailable(error, target) ?? error
}

/**
 * What opening a connection threw, as `asDatabaseFailure` sees it, and besides: any file-system
 * error of creating a SQLite database's folder or file (a missing or unwritable folder, a path
 * under a regular file). Only here, where nothing but the database's path is touched, may a bare
 * errno be read as the database's.
 */
export function asOpenFailure(error: unknown, target: DatabaseTarget): unknown {
  const mapped = asDatabaseFailure(error, target)
  if (mapped !== error || target.dialect !== 'sqlite') return mapped
  const errno = (error as NodeJS.ErrnoException).syscall === undefined ? undefined : codeOf(error)
  return errno === undefined ? error : sqliteUnavailable(target, error, errno)
}

/** Node's network errors; a pg Pool's own; the class 08 of SQLSTATE (connection exception). */
const REFUSED = new Set(['ECONNREFUSED'])
const NAME_NOT_FOUND = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL'])
const NO_ROUTE = new Set(['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN'])
const LOST = new Set(['ECONNRESET', 'EPIPE', '57P01', '57P02'])
/** pg reports its own connect time-out and a socket closed under it by message alone. */
const TIMED_OUT_MESSAGE =
  /^(timeout expired|timeout exceeded when trying to connect|Connection terminated due to connection timeout)$/
const LOST_MESSAGE = /^Connection terminated( unexpectedly)?$/
/** Authentication (28000 covers a role that does not exist) and a database that does not. */
const AUTHENTICATION = new Set(['28P01', '28000'])
const MISSING_DATABASE = '3D000'
/** The server is there but takes no connection now: starting, shutting down, full. */
const NOT_ACCEPTING = new Set(['57P03', '53300'])
const SQLITE_CANNOT_OPEN = /^SQLITE_(CANTOPEN|NOTADB|PERM|READONLY)/

function asUnavailable(error: unknown, target: DatabaseTarget): DatabaseUnavailableError | null {
  const code = codeOf(error)
  const message = (error as Error).message ?? String(error)
  if (target.dialect === 'sqlite') {
    return SQLITE_CANNOT_OPEN.test(code) ? sqliteUnavailable(target, error, code) : null
  }
  const at = hostAndPort(target.url)
  const seconds = (target.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS) / 1000
  const because = (what: string, check: string) =>
    new DatabaseUnavailableError(
      `the database ${target.display} at ${at} is unavailable: ${what} (${detailOf(code, message)}); ${check}`,
      { cause: error },
    )
  if (REFUSED.has(code)) {
    return because(
      'connection refused',
      `check that PostgreSQL is running and listens on ${at}, and the host and port in --db`,
    )
  }
  if (NAME_NOT_FOUND.has(code)) {
    return because(
      'the host name does not resolve',
      'check the host name in --db and this machine\u2019s DNS',
    )
  }
  if (NO_ROUTE.has(code) || TIMED_OUT_MESSAGE.test(message)) {
    return because(
      `no answer within the connect time-out of ${seconds} s`,
      `check that the host is up and no firewall drops the connection; wait longer with --connect-timeout or SKILL_METRICS_CONNECT_TIMEOUT`,
    )
  }
  if (LOST.has(code) || LOST_MESSAGE.test(message)) {
    return because(
      'the server closed the connection',
      `check that ${at} is PostgreSQL and that it is not restarting, then run the command again`,
    )
  }
  if (AUTHENTICATION.has(code)) {
    return because(
      'authentication failed',
      'check the user and password in --db and the server\u2019s pg_hba.conf',
    )
  }
  if (code === MISSING_DATABASE) {
    return because(
      'the database does not exist',
      'check the database name in --db, or create it (createdb)',
    )
  }
  if (NOT_ACCEPTING.has(code) || code.startsWith('08')) {
    return because(
      'the server takes no connection now',
      'check the server\u2019s state and its max_connections, then run the command again',
    )
  }
  return null
}

export function sqliteUnavailable(
  target: DatabaseTarget & { dialect: 'sqlite' },
  error: unknown,
  code: string,
): DatabaseUnavailableError {
  return new DatabaseUnavailableError(
    `cannot open or create the SQLite database ${target.path} (${detailOf(code, (error as Error).message)}); check that ${dirname(target.path)} is a folder this user can write and that the file, if there, is a SQLite database`,
    { cause: error },
  )
}

/** The code and the message, the code once: Node's messages often begin with it. */
function detailOf(code: string, message: string): string {
  return code === '' || message.startsWith(code) ? message : `${code}: ${message}`
}

/** `host:port` of a PostgreSQL URL (the port pg uses when none is given). */
function hostAndPort(url: string): string {
  const parsed = new URL(url)
  return `${parsed.hostname}:${parsed.port === '' ? '5432' : parsed.port}`
}

/** The error's code; Node's multi-address connect reports an AggregateError whose parts carry it. */
function codeOf(error: unknown): string {
  const own = (error as { code?: unknown }).code
  if (own !== undefined && own !== null) return String(own)
  const first = (error as { errors?: Array<{ code?: unknown }> }).errors?.[0]?.code
  return first === undefined ? '' : String(first)
}
