import { open, readFile } from 'node:fs/promises'

/** Appends one JSON line durably: fsync'd before the caller's operation returns. */
export async function appendJsonLine(path: string, value: unknown): Promise<void> {
  const handle = await open(path, 'a')
  try {
    await handle.write(`${JSON.stringify(value)}\n`)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Every line of a log; a missing log is empty. */
export async function readJsonLines<T>(path: string): Promise<T[]> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  // A torn last line (a crash mid-append) is skipped: the operation it records never returned to
  // its caller with the line written.
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as T]
      } catch {
        return []
      }
    })
}
