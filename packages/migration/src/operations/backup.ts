import { type FileHandle, open, rm } from 'node:fs/promises'
import { basename } from 'node:path'
import {
  type FileFingerprint,
  modeForFilesBeside,
  writeFileDurably,
} from '@skill-metrics/durable-file'

/** A copy of the legacy file taken before a cutover or a rollback changes what holds the truth. */
export interface LegacyBackup {
  path: string
  /** `<backup>.sha256`, in sha256sum format: `sha256sum -c` checks the copy. */
  manifest: string
  fingerprint: FileFingerprint
}

/** A timestamp for file names: UTC, no characters a file system may refuse. */
export const fileStamp = (at: Date) => at.toISOString().replace(/[-:]/g, '').replace('.', '-')

/**
 * Copies the legacy file to `<file>.backup-<stamp>` with a sha256 manifest, both durably written
 * and read back before it returns, with the legacy file's mode; null when there is no file.
 * Writers replace the file by rename, so the copy is one whole version of it even while they
 * write; its hash is that of the bytes the copy holds.
 */
export async function backupLegacyFile(jsonFile: string, at: Date): Promise<LegacyBackup | null> {
  const path = `${jsonFile}.backup-${fileStamp(at)}`
  const mode = await modeForFilesBeside(jsonFile)
  let source: FileHandle
  try {
    source = await open(jsonFile, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
  let fingerprint: FileFingerprint
  try {
    fingerprint = await writeFileDurably(
      path,
      source.createReadStream({ highWaterMark: 1 << 20, autoClose: false }),
      { exclusive: true, mode, expectedSize: (await source.stat()).size },
    )
  } finally {
    await source.close()
  }
  const manifest = `${path}.sha256`
  try {
    await writeFileDurably(manifest, `${fingerprint.sha256}  ${basename(path)}\n`, { mode })
  } catch (error) {
    // A copy without its manifest cannot be checked: it must not pass for a backup.
    await rm(path, { force: true })
    throw error
  }
  return { path, manifest, fingerprint }
}
