import { stat } from 'node:fs/promises'
import { PRIVATE_FILE_MODE } from './durable-write.js'

/**
 * The mode for a new file made from or beside the legacy file (the database, backups, the archive,
 * logs, exports): the legacy file's own, so a copy is never readable by more users than the
 * original; 0600 while there is no legacy file.
 */
export async function modeForFilesBeside(legacyFile: string): Promise<number> {
  try {
    return (await stat(legacyFile)).mode & 0o777
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return PRIVATE_FILE_MODE
    throw error
  }
}
