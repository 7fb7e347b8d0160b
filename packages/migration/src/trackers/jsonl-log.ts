import { readFile } from 'node:fs/promises'
import { appendDurably, modeForFilesBeside } from '@skill-metrics/durable-file'

/**
 * Appends one JSON line to a log kept beside the legacy file, durably (fsync'd before the
 * caller's operation returns, cut back on a short write); a new log gets the legacy file's mode.
 */
export function appendJsonLine(path: string, jsonFile: string, value: unknown): Promise<void> {
  return appendJsonLines(path, jsonFile, [value])
}

/** Appends several JSON lines in one durable append: all of them or none. */
export async function appendJsonLines(
  path: string,
  jsonFile: string,
  values: readonly unknown[],
): Promise<void> {
  if (values.length === 0) return
  await appendDurably(path, values.map((value) => `${JSON.stringify(value)}\n`).join(''), {
    mode: await modeForFilesBeside(jsonFile),
  })
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
