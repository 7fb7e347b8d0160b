import { statfs } from 'node:fs/promises'
import { dirname } from 'node:path'

export interface FreeSpace {
  /** The folder measured: the nearest one of the path's that exists. */
  folder: string
  /** Bytes an unprivileged process may still write there. */
  available: number
}

/** Reads free space: `freeSpaceOf`, or a stand-in where a test needs a disk that is full. */
export type FreeSpaceReader = (path: string) => Promise<FreeSpace>

/** The free space where `path` would be written (its folder, or the nearest existing parent). */
export async function freeSpaceOf(path: string): Promise<FreeSpace> {
  let folder = dirname(path)
  for (;;) {
    try {
      const stats = await statfs(folder)
      return { folder, available: Number(stats.bavail) * Number(stats.bsize) }
    } catch (error) {
      const parent = dirname(folder)
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === folder) throw error
      folder = parent
    }
  }
}
