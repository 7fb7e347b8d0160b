import { stat } from 'node:fs/promises'
import { PRIVATE_FILE_MODE } from './durable-write.js'

const UNREADABLE = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'ENAMETOOLONG', 'ELOOP'])

/**
 * The mode for a new file made from or beside the legacy file (the database, backups, the archive,
 * logs, exports): the legacy file's own, so a copy is never readable by more users than the
 * original; 0600 while there is no legacy file.
 */
export async function modeForFilesBeside(legacyFile: string): Promise<number> {
  try {
    return (await stat(legacyFile)).mode & 0o777
  } catch (error) {
    // A path that cannot be looked at is reported by whatever reads the legacy file next, with
    // its own message; the safest mode meanwhile is the private one.
    if (UNREADABLE.has((error as NodeJS.ErrnoException).code ?? '')) return PRIVATE_FILE_MODE
    throw error
  }
}
