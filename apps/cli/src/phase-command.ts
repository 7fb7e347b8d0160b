import type { Phase } from '@skill-metrics/core'
import { type Guard, transition } from '@skill-metrics/migration'
import { BaseCommand } from './base-command.js'
import { checkLines } from './health-output.js'
import { dryRunFlag, forceFlags } from './schema-output.js'

/** A `phase` command: one guarded transition, its checks printed, then what the phase does and what comes next. */
export abstract class PhaseCommand extends BaseCommand<typeof PhaseCommand> {
  static override flags = {
    ...forceFlags,
    'dry-run': dryRunFlag,
  }

  protected abstract readonly to: Phase
  protected abstract readonly from: readonly Phase[]
  protected abstract readonly guard: Guard
  /** Printed after the move: what the new phase does, and the `Next:` line. */
  protected abstract readonly done: string

  async run(): Promise<void> {
    const { force, reason, 'dry-run': dryRun } = this.flags
    const outcome = await transition({
      jsonFile: this.jsonFile,
      target: this.database,
      to: this.to,
      from: this.from,
      guard: this.guard,
      force,
      reason,
      dryRun,
    })
    if (this.jsonEnabled()) {
      this.printJson(outcome)
      return
    }
    this.log(checkLines(outcome.checks))
    this.log(
      dryRun
        ? `Would move ${outcome.from} → ${this.to} (epoch ${outcome.epoch}).`
        : `${this.to} (epoch ${outcome.epoch}). ${this.done}`,
    )
  }
}
