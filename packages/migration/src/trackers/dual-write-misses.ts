import type { LegacyInvocation } from '@skill-metrics/core'
import { appendJsonLine, readJsonLines } from './jsonl-log.js'

/** A database write that dual-write could not make; the next `data migrate` repairs it. */
export interface DualWriteMiss {
  at: string
  invocation_id: string
  operation: 'start' | 'complete' | 'open'
  error: string
  /**
   * The invocation as the legacy file got it in this write: until the database has it, the file
   * is its only copy, and a lockless save can erase that (`data migrate` recovers it from here).
   */
  record?: LegacyInvocation
}

/** Kept beside the legacy file: the database may be exactly what is unreachable. */
export function missLogPathOf(jsonFile: string): string {
  return `${jsonFile}.dual-write-misses.jsonl`
}

/** Appends a miss durably (one line, fsync'd before the caller's write returns). */
export function recordMiss(jsonFile: string, miss: DualWriteMiss): Promise<void> {
  return appendJsonLine(missLogPathOf(jsonFile), jsonFile, miss)
}

export function readMisses(jsonFile: string): Promise<DualWriteMiss[]> {
  return readJsonLines<DualWriteMiss>(missLogPathOf(jsonFile))
}
