import { stat } from 'node:fs/promises'
import type { DatabaseTarget } from '@skill-metrics/db-store'
import { type FreeSpaceReader, freeSpaceOf } from '@skill-metrics/durable-file'
import type { GuardCheck } from './transition.js'

/** Where a path would be written and how much room is left there; tests inject a full disk. */

/** Bytes a step writes beside `path`, and what for (the check's detail names it). */
interface SpaceNeed {
  path: string
  bytes: number
  what: string
}

interface FileSystemSpace<T> {
  folders: string[]
  available: number
  items: T[]
}

const NAME = 'free space'

/**
 * Groups paths by the file system their folders are on: folders of one device draw on the same
 * free space, so what is written to each of them adds up there.
 */
async function byFileSystem<T extends { path: string }>(
  items: readonly T[],
  freeSpace: FreeSpaceReader,
): Promise<FileSystemSpace<T>[]> {
  const groups = new Map<number, FileSystemSpace<T>>()
  for (const item of items) {
    const { folder, available } = await freeSpace(item.path)
    const { dev } = await stat(folder)
    const group = groups.get(dev)
    if (group === undefined) {
      groups.set(dev, { folders: [folder], available, items: [item] })
      continue
    }
    if (!group.folders.includes(folder)) group.folders.push(folder)
    // Two readings of one device differ by what was written in between: the smaller one holds.
    group.available = Math.min(group.available, available)
    group.items.push(item)
  }
  return [...groups.values()]
}

const sumOf = (needs: readonly SpaceNeed[]) => needs.reduce((sum, need) => sum + need.bytes, 0)

function bytesText(bytes: number): string {
  if (bytes < 2 ** 20) return `${bytes} bytes`
  const [unit, scale] = bytes < 2 ** 30 ? ['MiB', 2 ** 20] : ['GiB', 2 ** 30]
  return `${bytes} bytes (${(bytes / scale).toFixed(1)} ${unit})`
}

function spaceText<T>(
  { folders, available }: FileSystemSpace<T>,
  needed: number,
  why: string,
): string {
  return `${folders.join(' and ')}: ${bytesText(available)} free, ${bytesText(needed)} needed (${why})`
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

/** The database file, when the database is one: its folder fills as the database grows. */
const sqliteFileOf = (target: DatabaseTarget) =>
  target.dialect === 'sqlite' && !target.inMemory ? target.path : null

/**
 * The guard a step takes before writing: every file system it writes to has room for all it
 * writes there. A failure says where, how much is free and how much is needed, and how to go on.
 */
async function enoughSpaceFor(
  needs: readonly SpaceNeed[],
  freeSpace: FreeSpaceReader,
): Promise<GuardCheck> {
  const spaces = await byFileSystem(needs, freeSpace)
  const lines = spaces.map((space) => {
    const needed = sumOf(space.items)
    const why = space.items.map((need) => `${need.what}: ${need.bytes}`).join(' + ')
    return { space, needed, text: spaceText(space, needed, why) }
  })
  const short = lines.filter(({ space, needed }) => space.available < needed)
  if (short.length === 0)
    return { name: NAME, ok: true, detail: lines.map(({ text }) => text).join('; ') }
  const folders = short.flatMap(({ space }) => space.folders).join(' and ')
  return {
    name: NAME,
    ok: false,
    detail: `${short.map(({ text }) => text).join('; ')}; free space on ${folders}, or pass --force --reason "…"`,
  }
}

/**
 * A size or free space that cannot be read (a folder without permission) is reported as the
 * check's outcome, never thrown: the guards fail on it, health warns.
 */
async function reported(
  check: () => Promise<GuardCheck>,
  unmeasured: { ok: false } | { ok: true; level: 'warn' },
): Promise<GuardCheck> {
  try {
    return await check()
  } catch (error) {
    return { name: NAME, ...unmeasured, detail: `not measured: ${(error as Error).message}` }
  }
}

const REFUSE = { ok: false } as const

export interface SpaceCheckOptions {
  jsonFile: string
  target: DatabaseTarget
  freeSpace?: FreeSpaceReader
}

/**
 * `phase dual-write`: from then on every write rewrites the legacy file beside itself (one copy),
 * and a SQLite database grows by about the file's data.
 */
export function dualWriteSpace({
  jsonFile,
  target,
  freeSpace = freeSpaceOf,
}: SpaceCheckOptions): Promise<GuardCheck> {
  return reported(async () => {
    const size = (await sizeOf(jsonFile)) ?? 0
    const database = sqliteFileOf(target)
    return enoughSpaceFor(
      [
        { path: jsonFile, bytes: size, what: 'a rewrite of the legacy file' },
        ...(database === null
          ? []
          : [{ path: database, bytes: size, what: "the legacy file's data in the database" }]),
      ],
      freeSpace,
    )
  }, REFUSE)
}

/** `cutover`: a backup of the legacy file, and a rewrite by a writer before the freeze. */
export function cutoverSpace({
  jsonFile,
  freeSpace = freeSpaceOf,
}: SpaceCheckOptions): Promise<GuardCheck> {
  return reported(async () => {
    const size = (await sizeOf(jsonFile)) ?? 0
    return enoughSpaceFor(
      [
        { path: jsonFile, bytes: size, what: 'the backup' },
        { path: jsonFile, bytes: size, what: 'a rewrite of the legacy file' },
      ],
      freeSpace,
    )
  }, REFUSE)
}

/**
 * `rollback` from the database: the regenerated file and the backup of the current one. The
 * regenerated file is about as large as the current one; with none, as large as the SQLite file
 * that holds the same data; a PostgreSQL database gives nothing to estimate it by.
 */
export function rollbackSpace({
  jsonFile,
  target,
  freeSpace = freeSpaceOf,
}: SpaceCheckOptions): Promise<GuardCheck> {
  return reported(async () => {
    const current = await sizeOf(jsonFile)
    const database = sqliteFileOf(target)
    const estimate = current ?? (database === null ? null : await sizeOf(database))
    if (estimate === null) {
      return {
        name: NAME,
        ok: true,
        detail: 'not estimated: no legacy file, and no SQLite database file to judge its size by',
      }
    }
    return enoughSpaceFor(
      [
        { path: jsonFile, bytes: estimate, what: 'the regenerated file (estimated)' },
        ...(current === null ? [] : [{ path: jsonFile, bytes: current, what: 'the backup' }]),
      ],
      freeSpace,
    )
  }, REFUSE)
}

/**
 * `health`: the folders of the legacy file and of a SQLite database each keep room for two
 * copies of the legacy file (a rewrite needs one). Short of it is a warning, not a failure:
 * nothing is wrong yet, and the guards refuse the steps that would not fit.
 */
export function healthSpace({
  jsonFile,
  target,
  freeSpace = freeSpaceOf,
}: SpaceCheckOptions): Promise<GuardCheck> {
  return reported(
    async () => {
      const size = await sizeOf(jsonFile)
      if (size === null) return { name: NAME, ok: true, detail: 'no legacy file to rewrite' }
      const database = sqliteFileOf(target)
      const needed = 2 * size
      const spaces = await byFileSystem(
        [jsonFile, ...(database === null ? [] : [database])].map((path) => ({ path })),
        freeSpace,
      )
      const why = 'two copies of the legacy file; a rewrite needs one'
      const short = spaces.filter((space) => space.available < needed)
      if (short.length === 0) {
        return {
          name: NAME,
          ok: true,
          detail: spaces.map((space) => spaceText(space, needed, why)).join('; '),
        }
      }
      return {
        name: NAME,
        ok: true,
        level: 'warn',
        detail: `${short.map((space) => spaceText(space, needed, why)).join('; ')}; free space on ${short.flatMap((space) => space.folders).join(' and ')}`,
      }
    },
    { ok: true, level: 'warn' },
  )
}
