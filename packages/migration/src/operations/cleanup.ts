import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readdir, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip, createGzip } from 'node:zlib'
import { type Clock, InconsistencyError, RefusedError, systemClock } from '@skill-metrics/core'
import type { DatabaseTarget } from '@skill-metrics/db-store'
import {
  type FileFingerprint,
  modeForFilesBeside,
  writeFileDurably,
} from '@skill-metrics/durable-file'
import { changeLogPathOf, writerStatePathOf } from '@skill-metrics/json-tracker'
import { legacyFileAsDatabaseLeftIt } from '../phases/guards.js'
import {
  type GuardCheck,
  type GuardContext,
  type TransitionOutcome,
  transition,
} from '../phases/transition.js'
import { DEFAULT_RETENTION_DAYS } from './defaults.js'

const DAY_MS = 86_400_000

export interface CleanupOptions {
  jsonFile: string
  target: DatabaseTarget
  retentionDays?: number
  force?: boolean
  reason?: string
  dryRun?: boolean
  lockTimeoutMs?: number
  clock?: Clock
  /**
   * Asked once the guard would pass, before the writers' lock is taken (the CLI asks on a
   * terminal); false stops it with nothing changed.
   */
  confirm?: (question: string) => Promise<boolean>
}

/** The compressed copy of the legacy file that cleanup leaves beside where the file was. */
export interface LegacyArchive {
  path: string
  /** `<archive>.sha256`: `sha256sum -c` checks the archive; a comment holds the inner file's sum. */
  manifest: string
  original: FileFingerprint
  compressed: FileFingerprint
}

export interface CleanupOutcome extends TransitionOutcome {
  retentionDays: number
  /** Whether there was a legacy file to archive (on a dry run: whether there is one now). */
  legacyFileFound: boolean
  /** Null on a dry run, and when there was no legacy file. */
  archive: LegacyArchive | null
}

/**
 * Phase 5 (ARCHITECTURE §5): once the retention period since cutover is over, archives the legacy
 * file (gzip and a sha256 manifest, verified before anything else changes), moves the phase to
 * `cleaned` and removes the file, all under the writers' lock. The phase copy stays: writers read
 * the phase from it.
 */
export async function cleanup({
  retentionDays = DEFAULT_RETENTION_DAYS,
  clock = systemClock,
  confirm,
  ...request
}: CleanupOptions): Promise<CleanupOutcome> {
  const { jsonFile } = request
  if (confirm !== undefined && !request.dryRun) {
    // Asked outside the lock, where an answer that takes minutes holds no writer up; a run the
    // guard refuses asks nothing.
    const preview = await cleanup({ ...request, retentionDays, clock, dryRun: true })
    const question = `Archive ${jsonFile} (gzip, sha256 manifest) and remove it? The database becomes the only store. Continue?`
    if (preview.wouldRefuse === undefined && preview.legacyFileFound && !(await confirm(question)))
      throw new RefusedError('cleanup not confirmed; nothing was changed')
  }
  let archive: LegacyArchive | null = null
  let legacyFileFound = await exists(jsonFile)
  const outcome = await transition({
    ...request,
    to: 'cleaned',
    from: ['db-primary'],
    clock,
    // An archived file whose foreign additions were never imported would take them out of sight.
    guard: async (context) => [
      retentionOver(context, retentionDays, clock),
      retentionNotShortened(retentionDays),
      await legacyFileAsDatabaseLeftIt(jsonFile),
    ],
    beforeFlip: async () => {
      // Seen again under the lock: the answer before it was taken may be stale.
      legacyFileFound = await exists(jsonFile)
      if (legacyFileFound) archive = await archiveLegacyFile(jsonFile, clock.now())
    },
    afterFlip: async () => {
      await rm(jsonFile, { force: true })
      await rm(writerStatePathOf(jsonFile), { force: true })
      await rm(changeLogPathOf(jsonFile), { force: true })
    },
  })
  return { ...outcome, retentionDays, legacyFileFound, archive }
}

function retentionOver({ state }: GuardContext, retentionDays: number, clock: Clock): GuardCheck {
  const name = `retention of ${retentionDays} day(s) since cutover`
  if (state.cutover_at === null) return { name, ok: false, detail: 'no cutover is recorded' }
  const ends = new Date(Date.parse(state.cutover_at) + retentionDays * DAY_MS)
  const ok = clock.now() >= ends
  return {
    name,
    ok,
    detail: `cutover at ${state.cutover_at}; the retention ${ok ? 'ended' : 'ends'} at ${ends.toISOString()}`,
  }
}

/** A retention shorter than the default passes what it is there for: it counts as forcing. */
function retentionNotShortened(retentionDays: number): GuardCheck {
  const ok = retentionDays >= DEFAULT_RETENTION_DAYS
  return {
    name: `retention not shorter than the default ${DEFAULT_RETENTION_DAYS} days`,
    ok,
    detail: ok
      ? `${retentionDays} day(s)`
      : `--retention-days ${retentionDays} is shorter than the default ${DEFAULT_RETENTION_DAYS}: that needs --force --reason "…" (recorded)`,
  }
}

/**
 * The newest archive cleanup left of `jsonFile` (null when none): where its history went once
 * the file was removed, for `status` and the readers to name.
 */
export async function legacyArchiveOf(jsonFile: string): Promise<string | null> {
  const prefix = `${basename(jsonFile)}.archive-`
  const names = await readdir(dirname(jsonFile)).catch(() => [])
  // The timestamp in the name sorts as the time.
  const newest = names
    .filter((name) => name.startsWith(prefix) && name.endsWith('.json.gz'))
    .sort()
    .at(-1)
  return newest === undefined ? null : join(dirname(jsonFile), newest)
}

/**
 * Writes `<file>.archive-<timestamp>.json.gz` and its manifest durably, with the legacy file's
 * mode, then reads the archive back through gunzip: the legacy file is removed right after, so an
 * archive that does not decompress to its exact bytes must stop the cleanup first.
 */
async function archiveLegacyFile(jsonFile: string, now: Date): Promise<LegacyArchive> {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
  const path = `${jsonFile}.archive-${stamp}.json.gz`
  const mode = await modeForFilesBeside(jsonFile)
  const read = hashTap()
  // Exclusive: an archive already there is refused, and the durable write leaves nothing behind.
  const compressed = await writeFileDurably(
    path,
    createReadStream(jsonFile).compose<Readable>(read.pass).compose(createGzip()),
    { exclusive: true, mode },
  )
  const original = read.fingerprint()
  try {
    const decompressed = hashTap()
    await pipeline(createReadStream(path), createGunzip(), decompressed.pass, async (source) => {
      for await (const _ of source);
    })
    if (decompressed.fingerprint().sha256 !== original.sha256) {
      throw new InconsistencyError(
        `the archive of ${jsonFile} did not read back as written; the legacy file and the phase are as they were`,
        { nextStep: 'Check the disk, then run skill-metrics cleanup again.' },
      )
    }
    const manifest = manifestPathOf(path)
    await writeFileDurably(manifest, manifestText(path, compressed, original), { mode })
    return { path, manifest, original, compressed }
  } catch (error) {
    // A partial or unverified archive must not pass for a good one.
    await rm(path, { force: true })
    throw error
  }
}

const manifestPathOf = (archive: string) => `${archive}.sha256`

/**
 * `sha256sum -c` checks the archive's line from the manifest's folder. The legacy file inside is
 * not on disk, so its sum is a comment (sha256sum skips lines starting with `#`) laid out like
 * what `gunzip -c <archive> | sha256sum` prints, to compare by eye or with grep.
 */
function manifestText(path: string, compressed: FileFingerprint, original: FileFingerprint) {
  const name = basename(path)
  return `${compressed.sha256}  ${name}\n# ${original.sha256}  the legacy file inside: gunzip -c ${name} | sha256sum\n`
}

/** A pass-through stage that hashes and counts what flows through it. */
function hashTap() {
  const hash = createHash('sha256')
  let size = 0
  return {
    async *pass(source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        hash.update(chunk)
        size += chunk.length
        yield chunk
      }
    },
    fingerprint(): FileFingerprint {
      return { size, sha256: hash.digest('hex') }
    },
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false
      throw error
    },
  )
}
