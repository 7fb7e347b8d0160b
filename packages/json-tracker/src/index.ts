export {
  type ChangeChain,
  type ChangedInvocation,
  type ChangedSkill,
  changeLogPathOf,
  changesLeadingTo,
  invocationsLoggedSince,
  type LegacyFileChange,
  legacyFileFingerprint,
} from './change-log.js'
export { type GenerateOptions, type GenerateResult, generateLegacyFile } from './generate.js'
export {
  appendToJournal,
  dropTakenJournals,
  groupCommitEnabled,
  journalEntryOnce,
  journalHasEntries,
  journalLength,
  journalPathOf,
  rejectedJournalLines,
  rejectedJournalPathOf,
  type TakenJournal,
  takeJournal,
} from './journal.js'
export {
  type AppliedBatch,
  type CommitResult,
  type CompletedInvocation,
  completionEntry,
  invocationEntry,
  JsonFileTracker,
  type JsonTrackerOptions,
  journaledCompleter,
  type LoadedLegacyFile,
  loadLegacyFile,
  pendingInvocation,
  readMetrics,
  rewriteLegacyFile,
  type StartedInvocation,
} from './json-tracker.js'
export {
  type FileFingerprint,
  fileVersionOf,
  type LegacyScan,
  readingThroughTornSaves,
  type ScanOptions,
  scanLegacyFile,
  scanThroughTornSaves,
  TornReadError,
} from './legacy-reader.js'
export { encodeLegacyFile, replaceLegacyFile } from './legacy-writer.js'
export { LOCK_THREAD_MIN_BYTES } from './lock-host.js'
export {
  acceptLegacyFile,
  appliedEntryOf,
  type ForeignWrite,
  foreignWriteTime,
  type JournalRecord,
  noteForeignWrite,
  readWriterState,
  recordJournal,
  sameFingerprint,
  settledJournal,
  type WriterState,
  withApplied,
  writerStatePathOf,
} from './writer-state.js'
export {
  DEFAULT_LOCK_TIMEOUT_MS,
  type HeldLock,
  LOCK_STALE_MS,
  type LockOptions,
  lockOwnerPathOf,
  lockPathOf,
  lockQueuePathOf,
  withWritersLock,
  withWritersLockUnless,
} from './writers-lock.js'
