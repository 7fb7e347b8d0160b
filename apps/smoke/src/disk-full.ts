import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFile, rm, stat, statfs } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { execa } from 'execa'
import type { FullPeriod, Violation } from './invariants.js'
import { parseLegacyFile } from './stores.js'

/** What `--disk-full` did, in the run's report. */
export interface DiskFullReport {
  /** Why the full disk was not exercised: the tmpfs could not be mounted (outside CI only). */
  skipped?: string
  /** The tmpfs under the legacy file (and the SQLite database), in bytes. */
  tmpfsBytes?: number
  /** The legacy file when the tmpfs was mounted, in bytes. */
  legacyBytes?: number
  /** How long the filler held the disk full. */
  fullSeconds?: number
  /** The filler at its largest, in bytes. */
  fillerBytes?: number
  /** The most space found free while the disk was full (a rewrite of the legacy file needs more). */
  mostFreeBytes?: number
  /** Writes refused with exit 4 while the disk was full; the run fails when there is none. */
  refused: number
  /** The first of them, as its writer saw it. */
  firstRefusal?: string
  /** Dual-write database misses recorded while the disk was full. */
  missesRecorded?: number
}

/** How long the filler holds the disk full: a few seconds of writer activity. */
export const FULL_MS = 3_000
/** Writes in flight when the filler lands may still finish; after this the file must not change. */
const SETTLE_MS = 500
const POLL_MS = 100
const MIB = 1 << 20

/** CI runs as root and must exercise the fault; elsewhere a failed mount skips it. */
export const underCi = () => Boolean(process.env.CI)

/**
 * The tmpfs for a generated legacy file of `legacyBytes`: four copies of the file (the file, a
 * rewrite's temporary copy, the two cutovers' backups, the rollback's regenerated file), four
 * more for SQLite (the database and the WAL of a backfill), and 16 MiB of slack (the writers'
 * growth, a WAL of a few MiB between checkpoints, logs, the archive). Every step after the full
 * period must fit, past the free-space guards of `cutover` and `rollback`. Measured peaks on
 * SQLite: 9 MB of 20 MiB at 2,000 invocations, 42 MB of 55 MiB at 20,000 (8 writers).
 */
export function tmpfsBytesFor(legacyBytes: number, dialect: 'sqlite' | 'postgres'): number {
  const bytes = legacyBytes * (dialect === 'sqlite' ? 8 : 4) + 16 * MIB
  return Math.ceil(bytes / MIB) * MIB
}

/** A tmpfs mounted over a folder for the run; `unmount` also runs on SIGINT and SIGTERM. */
export class Tmpfs {
  readonly dir: string
  readonly bytes: number
  readonly #onSignal: (signal: NodeJS.Signals) => void

  private constructor(dir: string, bytes: number) {
    this.dir = dir
    this.bytes = bytes
    // Interrupted, the run must not leave a mount behind: detach it, then die of the signal.
    this.#onSignal = (signal) => {
      spawnSync('umount', ['-l', dir])
      process.kill(process.pid, signal)
    }
    process.once('SIGINT', this.#onSignal)
    process.once('SIGTERM', this.#onSignal)
  }

  /** Mounts `bytes` of tmpfs over `dir` (needs root), with its mode; why, when the mount fails. */
  static async mount(dir: string, bytes: number): Promise<Tmpfs | { reason: string }> {
    const mode = ((await stat(dir)).mode & 0o7777).toString(8)
    const args = ['-t', 'tmpfs', '-o', `size=${bytes},mode=${mode}`, 'tmpfs', dir]
    const run = await execa('mount', args, { reject: false })
    if (run.exitCode !== 0)
      return {
        reason: `mount ${args.join(' ')} failed: ${String(run.stderr || run.message).trim()}`,
      }
    return new Tmpfs(dir, bytes)
  }

  /** Bytes free on the tmpfs. */
  async available(): Promise<number> {
    const stats = await statfs(this.dir)
    return Number(stats.bavail) * Number(stats.bsize)
  }

  /** Unmounts (lazily when busy); the reason when even that fails. */
  async unmount(): Promise<string | undefined> {
    process.off('SIGINT', this.#onSignal)
    process.off('SIGTERM', this.#onSignal)
    const run = await execa('umount', [this.dir], { reject: false })
    if (run.exitCode === 0) return undefined
    const lazy = await execa('umount', ['-l', this.dir], { reject: false })
    return lazy.exitCode === 0
      ? undefined
      : `umount ${this.dir} failed: ${String(run.stderr).trim()}; umount -l: ${String(lazy.stderr).trim()}`
  }
}

/** A file that takes the free space of a tmpfs (fallocate), grown when space comes back. */
export class Filler {
  readonly path: string
  readonly #tmpfs: Tmpfs
  bytes = 0
  largest = 0

  constructor(tmpfs: Tmpfs) {
    this.#tmpfs = tmpfs
    this.path = join(tmpfs.dir, 'smoke-disk-full.filler')
  }

  /** Grows the filler until at most `leave` bytes are free; returns the bytes free after. */
  async fill(leave: number): Promise<number> {
    const available = await this.#tmpfs.available()
    const grow = Math.floor((available - leave) / 4096) * 4096
    if (grow <= 0) return available
    // A writer may take some of that space meanwhile: then fallocate fails whole, and the next
    // poll tries again with what is free then.
    const run = await execa('fallocate', ['-l', String(this.bytes + grow), this.path], {
      reject: false,
    })
    if (run.exitCode === 0) {
      this.bytes += grow
      this.largest = Math.max(this.largest, this.bytes)
    } else if (this.bytes === 0 && !/No space left/i.test(String(run.stderr)))
      throw new Error(`fallocate ${this.path} failed: ${String(run.stderr || run.message).trim()}`)
    return this.#tmpfs.available()
  }

  async remove(): Promise<void> {
    await rm(this.path, { force: true })
    this.bytes = 0
  }
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

/**
 * Holds the tmpfs full for `ms` while the writers go on, then removes the filler. It leaves less
 * free than a quarter of the legacy file, so no rewrite of the file can fit: every write that
 * meets the full disk must be refused (exit 4) or recorded, never half-written. Every
 * `POLL_MS` the filler takes back any space that came free, the file must parse (plain
 * JSON.parse), and once writes in flight when the filler landed have settled, the file must stay
 * byte for byte as it was. `period` is set as it goes (`to` once the filler is gone).
 */
export async function holdDiskFull(
  tmpfs: Tmpfs,
  jsonFile: string,
  period: FullPeriod,
  ms = FULL_MS,
): Promise<{ filler: Filler; mostFreeBytes: number; violations: Violation[] }> {
  const filler = new Filler(tmpfs)
  const violations: Violation[] = []
  let mostFreeBytes = 0
  let baseline: string | undefined
  period.from = Date.now()
  const started = performance.now()
  let settleUntil = started + SETTLE_MS
  try {
    while (performance.now() - started < ms) {
      const bytes = await readFile(jsonFile)
      const free = await filler.fill(Math.floor(bytes.length / 4))
      try {
        parseLegacyFile(bytes.toString('utf8'))
      } catch (error) {
        violations.push({
          invariant: 'the legacy file parses',
          detail: `while the disk was full: ${(error as Error).message}`,
        })
        break
      }
      if (free >= bytes.length) {
        // Space came free (a rewrite ended as the filler landed): a write may fit until the
        // filler takes it back, so the file is compared again only once that has settled.
        baseline = undefined
        settleUntil = performance.now() + SETTLE_MS
      } else {
        mostFreeBytes = Math.max(mostFreeBytes, free)
        if (performance.now() >= settleUntil) {
          const hash = sha256(bytes)
          baseline ??= hash
          if (hash !== baseline) {
            violations.push({
              invariant: 'a full disk leaves the legacy file byte for byte',
              detail: `the legacy file changed (now ${bytes.length} bytes) with ${free} bytes free`,
            })
            break
          }
        }
      }
      await sleep(POLL_MS)
    }
    if (baseline === undefined && violations.length === 0)
      violations.push({
        invariant: 'the harness fills the disk',
        detail: `the filler never left less free than a rewrite of the legacy file needs`,
      })
  } finally {
    await filler.remove()
    period.to = Date.now()
  }
  return { filler, mostFreeBytes, violations }
}
