import type { FieldDiff } from '@skill-metrics/core'
import type { FileFingerprint } from '@skill-metrics/durable-file'
import type { ForeignRepair } from './foreign-repairs.js'
import type { RejectedRecord } from './pass-result.js'

export interface ValidationReport {
  clean: boolean
  skills: {
    compared: number
    missing: string[]
    extra: string[]
    mismatched: Array<{ name: string; diffs: FieldDiff[] }>
  }
  invocations: {
    compared: number
    missing: Array<{ id: string; index: number }>
    extra: string[]
    mismatched: Array<{ id: string; index: number; diffs: FieldDiff[] }>
    /** Differences that disappeared on the recheck under the writers' lock: writes in flight. */
    inFlight: number
  }
  rejected: RejectedRecord[]
  /**
   * Invocations `data migrate` put back into the file since the previous validation (a foreign
   * save had erased them): not differences, named so they are not missed.
   */
  restored: ForeignRepair[]
  /** The bytes that were compared, and the file's modification time then. */
  legacyFile: { fingerprint: FileFingerprint | null; modifiedAt: string | null }
}

/** A report that has compared nothing yet: a comparison fills it in. */
export const emptyReport = (): ValidationReport => ({
  clean: false,
  skills: { compared: 0, missing: [], extra: [], mismatched: [] },
  invocations: { compared: 0, missing: [], extra: [], mismatched: [], inFlight: 0 },
  rejected: [],
  restored: [],
  legacyFile: { fingerprint: null, modifiedAt: null },
})

export function differenceCount(report: ValidationReport): number {
  return (
    report.skills.missing.length +
    report.skills.extra.length +
    report.skills.mismatched.length +
    report.invocations.missing.length +
    report.invocations.extra.length +
    report.invocations.mismatched.length +
    report.rejected.length
  )
}
