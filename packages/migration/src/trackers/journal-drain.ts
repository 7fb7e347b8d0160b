import type { AppliedEntry, JournalEntry } from '@skill-metrics/core'
import type { SkillMetricsStore } from '@skill-metrics/db-store'
import { fingerprintFile } from '@skill-metrics/durable-file'
import {
  appliedEntryOf,
  dropTakenJournals,
  journalHasEntries,
  readWriterState,
  recordJournal,
  settledJournal,
  takeJournal,
  withApplied,
  withWritersLock,
} from '@skill-metrics/json-tracker'

export interface DrainOptions {
  jsonFile: string
  lockTimeoutMs?: number
}

/**
 * A write once the database is the truth (db-primary, cleaned): straight into the database, in
 * one transaction that also records its entry id — unless the journal holds changes, which are
 * then applied first, with this one, in the same transaction.
 */
export async function commitToDatabase(
  store: SkillMetricsStore,
  entry: JournalEntry,
  options: DrainOptions,
): Promise<AppliedEntry> {
  // Retried after the phase moved: the legacy file may have taken it before the cutover.
  const inFile = await appliedEntryOf(options.jsonFile, entry.entry)
  if (inFile !== undefined) return inFile
  if (!(await journalHasEntries(options.jsonFile))) {
    const [applied] = await store.applyJournal([entry])
    return applied!
  }
  const applied = await drainJournalIntoDatabase(store, { ...options, own: entry })
  return applied.find((result) => result.entry === entry.entry)!
}

/**
 * Applies the group-commit journal to the database in one transaction, under the writers' lock
 * (one drainer at a time), then records the results in the writer state, where the writers that
 * journaled them are waiting. Entries the legacy file already took (applied there before a
 * cutover, which copied them) are skipped: the writer state lists them.
 */
export async function drainJournalIntoDatabase(
  store: SkillMetricsStore,
  { jsonFile, lockTimeoutMs, own }: DrainOptions & { own?: JournalEntry },
): Promise<AppliedEntry[]> {
  return withWritersLock(
    jsonFile,
    async () => {
      const state = await readWriterState(jsonFile)
      // Only a holder that died mid-rewrite leaves a batch pending: whether the file took it is
      // known from the file's bytes, read only then.
      const settled =
        state?.journal?.pending === undefined
          ? state?.journal
          : settledJournal(state.journal, await fingerprintFile(jsonFile).catch(() => null))
      const inFile = new Map(settled?.applied.map((applied) => [applied.entry, applied]))
      const taken = await takeJournal(jsonFile)
      const entries = taken.entries.filter(({ entry }) => !inFile.has(entry))
      const ownInFile = own === undefined ? undefined : inFile.get(own.entry)
      if (
        own !== undefined &&
        ownInFile === undefined &&
        !entries.some(({ entry }) => entry === own.entry)
      ) {
        entries.push(own)
      }
      const applied = await store.applyJournal(entries)
      const journaled = new Set(taken.entries.map(({ entry }) => entry))
      await recordJournal(
        jsonFile,
        withApplied(
          settled,
          applied.filter(({ entry }) => journaled.has(entry)),
        ),
      )
      await dropTakenJournals(taken)
      return ownInFile === undefined ? applied : [...applied, ownInFile]
    },
    { timeoutMs: lockTimeoutMs, brief: true },
  )
}
