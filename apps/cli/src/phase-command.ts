import type { Phase } from '@skill-metrics/core'
import { type Guard, transition } from '@skill-metrics/migration'
import { BaseCommand } from './base-command.js'
import { phaseFlags } from './flags.js'
import { transitionText } from './phase-output.js'

/** A `phase` command: one guarded transition, its checks printed, then what the phase does and what comes next. */
export abstract class PhaseCommand extends BaseCommand<typeof PhaseCommand> {
  static override flags = phaseFlags

  protected abstract readonly to: Phase
  protected abstract readonly from: readonly Phase[]
  protected abstract readonly guard: Guard
  /** Printed after the move: what the new phase does, and the `Next:` line. */
  protected abstract readonly done: string

  async run(): Promise<void> {
    const outcome = await transition({
      jsonFile: this.jsonFile,
      target: this.database,
      to: this.to,
      from: this.from,
      guard: this.guard,
      force: this.flags.force,
      reason: this.flags.reason,
      dryRun: this.flags['dry-run'],
    })
    if (this.jsonEnabled()) this.printJson(outcome)
    else this.log(transitionText(outcome, this.done))
    this.refuseLikeTheRealRun(outcome.wouldRefuse)
  }
}
