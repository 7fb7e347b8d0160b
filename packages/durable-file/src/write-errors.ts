import { dirname } from 'node:path'
import { BadInputError, SkillMetricsError, WriteFailedError } from '@skill-metrics/core'

const NO_SPACE = new Set(['ENOSPC', 'EDQUOT', 'SHORT_WRITE'])
/** A path that cannot be opened for writing: the user named a bad place (exit 3). */
const BAD_PATH = new Set([
  'EACCES',
  'EPERM',
  'ENOENT',
  'ENOTDIR',
  'EISDIR',
  'EROFS',
  'ENAMETOOLONG',
])

/**
 * What a failed write means to the user: no space or a failing disk (exit 4, with what to free),
 * a path that cannot be written (exit 3), anything else as it was thrown (a bug until understood).
 */
export function asWriteFailure(error: unknown, path: string, needed: string): unknown {
  if (error instanceof SkillMetricsError) return error
  const code = (error as NodeJS.ErrnoException).code ?? ''
  const unchanged = `${path} is as it was`
  if (NO_SPACE.has(code)) {
    const cause = code === 'SHORT_WRITE' ? 'a short write' : code
    return new WriteFailedError(
      'NO_SPACE',
      path,
      `no space left on ${dirname(path)} (${cause}) writing ${path}: ${needed} needed; ${unchanged}`,
      {
        cause: error,
        nextStep: `Free space on the file system of ${dirname(path)}, then run the command again.`,
      },
    )
  }
  if (code === 'EIO' || code === 'READ_BACK_MISMATCH') {
    const cause = code === 'EIO' ? 'an I/O error (EIO)' : (error as Error).message
    return new WriteFailedError(
      'WRITE_FAILED',
      path,
      `could not write ${path}: ${cause}; ${unchanged}`,
      {
        cause: error,
        nextStep: `Check the disk under ${dirname(path)} (dmesg, SMART), then run the command again.`,
      },
    )
  }
  if (BAD_PATH.has(code)) {
    return new BadInputError({ file: path }, `cannot be written (${code})`, { cause: error })
  }
  return error
}
