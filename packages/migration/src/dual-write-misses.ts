import { open, readFile } from 'node:fs/promises'

/** A database write that dual-write could not make; the next `data migrate` repairs it. */
export interface DualWriteMiss {
  at: string
  invocation_id: string
  operation: 'start' | 'complete' | 'open'
  error: string
}

/** Kept beside the legacy file: the database may be exactly what is unreachable. */
export function missLogPathOf(jsonFile: string): string {
  return `${jsonFile}.dual-write-misses.jsonl`
}

/** Appends a miss durably (one line, fsync'd before the caller's write returns). */
export async function recordMiss(jsonFile: string, miss: DualWriteMiss): Promise<void> {
  const handle = await open(missLogPathOf(jsonFile), 'a')
  try {
    await handle.write(`${JSON.stringify(miss)}\n`)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

export async function readMisses(jsonFile: string): Promise<DualWriteMiss[]> {
  let text: string
  try {
    text = await readFile(missLogPathOf(jsonFile), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  // A torn last line (a crash mid-append) is skipped: its write never returned to its caller.
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as DualWriteMiss]
      } catch {
        return []
      }
    })
}
