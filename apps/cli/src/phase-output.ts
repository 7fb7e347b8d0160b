import type { TransitionOutcome } from '@skill-metrics/migration'
import { checkLines } from './health-output.js'

/** The checks, then the move: what it would be on a dry run, else the new phase and `done`. */
export function transitionText(outcome: TransitionOutcome, done: string): string {
  return `${checkLines(outcome.checks)}\n${
    outcome.dryRun
      ? `Would move ${outcome.from} → ${outcome.to} (epoch ${outcome.epoch}).`
      : `${outcome.to} (epoch ${outcome.epoch}). ${done}`
  }`
}
