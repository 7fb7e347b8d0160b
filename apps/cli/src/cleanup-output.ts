import type { CleanupOutcome } from '@skill-metrics/migration'
import { checkLines } from './health-output.js'

export function cleanupText(outcome: CleanupOutcome, jsonFile: string): string {
  const { archive } = outcome
  const done = outcome.dryRun
    ? `Would move ${outcome.from} → cleaned (epoch ${outcome.epoch}), ${outcome.legacyFileFound ? `archiving ${jsonFile} and removing it` : `with no legacy file at ${jsonFile} to archive`}.`
    : archive === null
      ? outcome.legacyFileFound
        ? // A rerun that finished what a stopped run left: that run archived the file.
          `cleaned (epoch ${outcome.epoch}). Removed ${jsonFile}, archived by the run that was stopped (skill-metrics status names the archive). The database is the only store.`
        : `cleaned (epoch ${outcome.epoch}). No legacy file at ${jsonFile}: nothing to archive. The database is the only store.`
      : [
          `cleaned (epoch ${outcome.epoch}). The database is the only store.`,
          `Archived   ${archive.path} (${archive.original.size.toLocaleString('en')} → ${archive.compressed.size.toLocaleString('en')} bytes, read back and verified)`,
          `Manifest   ${archive.manifest}`,
          `Removed    ${jsonFile}`,
        ].join('\n')
  return `${checkLines(outcome.checks)}\n${done}`
}

/** What an interrupted cleanup leaves: an order that keeps it safe. */
export const CLEANUP_STOPPED =
  'the archive is verified before the phase moves, and the legacy file is removed only after that (skill-metrics status says where it is)'
