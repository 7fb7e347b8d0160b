export { currentActor } from './actor.js'
export { dualWriteGuard, legacyFileValid, noForeignWriter } from './guards.js'
export { type PhaseCopy, phaseCopyPathOf, readPhaseCopy, writePhaseCopy } from './phase-copy.js'
export {
  type PhaseState,
  PhaseStore,
  type TransitionRecord,
  type ValidationRecord,
} from './phase-store.js'
export { type MigrationStatus, migrationStatus } from './status.js'
export {
  type Guard,
  type GuardCheck,
  type GuardContext,
  type TransitionOutcome,
  type TransitionRequest,
  transition,
} from './transition.js'
