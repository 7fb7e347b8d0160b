import { dirname } from 'node:path'
import { WriteFailedError } from '@skill-metrics/core'
import type { DatabaseTarget } from './database-url.js'

/**
 * A database that ran out of space or hit an I/O error as the user-facing failure it is (exit 4,
 * naming the database and what to free), not a bug: SQLite's SQLITE_FULL and SQLITE_IOERR*,
 * PostgreSQL's disk_full (53100) and io_error (58030). The failed transaction was rolled back by
 * the database; committed batches stay, and every operation here resumes from them when rerun.
 * Anything else is returned as it was.
 */
export function asDatabaseFailure(error: unknown, target: DatabaseTarget): unknown {
  const code = String((error as { code?: unknown }).code ?? '')
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
  return error
}
