export {
  type ChangeChain,
  type ChangedInvocation,
  type ChangedSkill,
  changeLogPathOf,
  changesLeadingTo,
  type LegacyFileChange,
  legacyFileFingerprint,
} from './change-log.js'
export { type GenerateOptions, type GenerateResult, generateLegacyFile } from './generate.js'
export {
  type CompletedInvocation,
  JsonFileTracker,
  type JsonTrackerOptions,
  type LoadedLegacyFile,
  loadLegacyFile,
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
  type ForeignWrite,
  foreignWriteTime,
  noteForeignWrite,
  readWriterState,
  sameFingerprint,
  type WriterState,
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
} from './writers-lock.js'
