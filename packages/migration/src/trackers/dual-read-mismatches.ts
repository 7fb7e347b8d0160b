import type { FieldDiff } from '@skill-metrics/core'
import type { ValidationRecord } from '@skill-metrics/db-store'
import { appendJsonLine, readJsonLines } from './jsonl-log.js'

/** The reads dual-read compares. */
export type DualRead = 'getSkillMetrics' | 'getAllMetrics' | 'getSummary' | 'generateReport'

/**
 * A dual-read whose database answer differed from the file's (`mismatch`), or that the database
 * could not answer (`error`). The caller got the file's answer either way.
 */
export interface DualReadMismatch {
  at: string
  read: DualRead
  /** The skill asked for; null for reads over every skill. */
  subject: string | null
  kind: 'mismatch' | 'error'
  json: unknown
  db: unknown
  diffs?: FieldDiff[]
  error?: string
}

/** Kept beside the legacy file: the database may be exactly what is unreachable. */
export function mismatchLogPathOf(jsonFile: string): string {
  return `${jsonFile}.dual-read-mismatches.jsonl`
}

/** Appends an entry durably (one line, fsync'd before the read returns). */
export function recordMismatch(jsonFile: string, mismatch: DualReadMismatch): Promise<void> {
  return appendJsonLine(mismatchLogPathOf(jsonFile), jsonFile, mismatch)
}

export function readMismatches(jsonFile: string): Promise<DualReadMismatch[]> {
  return readJsonLines<DualReadMismatch>(mismatchLogPathOf(jsonFile))
}

/**
 * The entries no clean full validation has covered yet. `data migrate` makes the database equal
 * to the file (JSON wins) and a clean validation recorded after an entry proves it, so the log is
 * never rewritten: what it holds stays the audit of what dual-read saw.
 */
export function unresolvedMismatches(
  mismatches: readonly DualReadMismatch[],
  lastValidation: Pick<ValidationRecord, 'at' | 'clean'> | null,
): DualReadMismatch[] {
  return lastValidation?.clean === true
    ? mismatches.filter((mismatch) => mismatch.at > lastValidation.at)
    : [...mismatches]
}

/** How many differing fields a one-line description names; the log holds them all. */
const DESCRIBED_DIFFS = 3
const DESCRIBED_VALUE_CHARS = 40

const shortJson = (value: unknown) => {
  const text = JSON.stringify(value) ?? 'undefined'
  return text.length > DESCRIBED_VALUE_CHARS ? `${text.slice(0, DESCRIBED_VALUE_CHARS - 1)}…` : text
}

/** One line for a guard's detail or `status`: the read, and what differed or failed. */
export function describeMismatch(mismatch: DualReadMismatch): string {
  const read = `${mismatch.read}(${mismatch.subject === null ? '' : JSON.stringify(mismatch.subject)})`
  if (mismatch.kind === 'error') return `${read} database error: ${mismatch.error}`
  const diffs = mismatch.diffs ?? []
  const named = diffs
    .slice(0, DESCRIBED_DIFFS)
    .map((diff) => `${diff.field} file ${shortJson(diff.json)}, database ${shortJson(diff.db)}`)
  const more = diffs.length > DESCRIBED_DIFFS ? [`${diffs.length - DESCRIBED_DIFFS} more`] : []
  return `${read} ${[...named, ...more].join('; ')}`
}
