import { constants } from 'node:fs'
import { copyFile, open } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import { type FileFingerprint, fingerprintFile } from '@skill-metrics/json-tracker'
import writeFileAtomic from 'write-file-atomic'

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
 * Copies the legacy file to `<file>.backup-<stamp>` with a sha256 manifest, both on disk before
 * it returns; null when there is no file. Writers replace the file by rename, so the copy is one
 * whole version of it even while they write; its hash is taken from the copy itself.
 */
export async function backupLegacyFile(jsonFile: string, at: Date): Promise<LegacyBackup | null> {
  const path = `${jsonFile}.backup-${fileStamp(at)}`
  try {
    await copyFile(jsonFile, path, constants.COPYFILE_EXCL)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
  await syncPath(path)
  const fingerprint = (await fingerprintFile(path))!
  const manifest = `${path}.sha256`
  await writeFileAtomic(manifest, `${fingerprint.sha256}  ${basename(path)}\n`, { fsync: true })
  await syncPath(dirname(path))
  return { path, manifest, fingerprint }
}

/** fsync of a file or a directory (a new directory entry is durable only then). */
export async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
