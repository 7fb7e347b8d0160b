export {
  aggregatesFromInvocations,
  applyCompletion,
  averageDuration,
  completerRan,
  completionRate,
  newSkillAggregate,
  toSkillMetrics,
} from './aggregates.js'
export {
  aggregateDiffs,
  answerDiffs,
  type FieldDiff,
  invocationDiffs,
  plainValue,
  sameAnswer,
  sameInvocation,
} from './comparison.js'
export { parseCounter, stringifyCounter } from './counters.js'
export {
  BadInputError,
  BugError,
  CompleterAlreadyCalledError,
  DatabaseUnavailableError,
  ExitCode,
  exitCodeOf,
  ForeignWriterBusyError,
  formatLocation,
  InconsistencyError,
  type InputLocation,
  InterruptedError,
  LockTimeoutError,
  RefusedError,
  SkillMetricsError,
  type SkillMetricsErrorOptions,
  StaleEpochError,
  UsageError,
  WriteFailedError,
} from './errors.js'
export { INVOCATION_ID_NAMESPACE, InvocationIdAssigner, invocationId } from './ids.js'
export {
  type AppliedEntry,
  finishedRecord,
  type JournalChange,
  type JournalCompletion,
  type JournalEntry,
  journalEntrySchema,
  newJournalEntry,
} from './journal-entry.js'
export {
  COMPUTED_SKILL_FIELDS,
  emptyDocument,
  INVOCATION_FIELDS,
  type JsonObject,
  type JsonValue,
  type LegacyDocument,
  type LegacyInvocation,
  PyFloat,
  SKILL_FIELDS,
  type SkillAggregate,
  type SkillMetrics,
} from './legacy.js'
export {
  exportPieces,
  invocationListPieces,
  type LegacyContent,
  legacyFilePieces,
  skillObjectPieces,
  summaryToJson,
} from './legacy-format.js'
export {
  CompletedDurations,
  completedDuration,
  type Percentiles,
  percentileOfSorted,
  percentiles,
} from './percentiles.js'
export { pyFloat, pyInvocation, pyJson, pySkillRecord, pyString } from './python-json.js'
export {
  REPORT_TOP,
  type ReportDay,
  type ReportMigration,
  type ReportModel,
  type ReportSkill,
} from './report-model.js'
export {
  checkTopLevel,
  legacyInvocationSchema,
  parseLegacyInvocation,
  parseLegacyInvocationObject,
  parseSkillAggregate,
  skillAggregateSchema,
} from './schema.js'
export { formatFixed1, renderReport, type Summary, summarize } from './summary.js'
export {
  type Clock,
  isNaiveIsoTimestamp,
  naiveIsoSecondsBefore,
  naiveIsoToMicros,
  naiveSecondsBetween,
  systemClock,
  toNaiveLocalIso,
} from './time.js'
export {
  type CompleteOptions,
  type Completer,
  completerOnce,
  completionOptionsOf,
  type MetricsTracker,
  PHASES,
  type Phase,
  type StartedRecord,
  type TrackOptions,
} from './tracker.js'
