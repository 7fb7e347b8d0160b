import { type CutoverStep, cutover } from '@skill-metrics/migration'
import { BaseCommand } from '../base-command.js'
import { cutoverStepLine, cutoverStopped, cutoverText } from '../cutover-output.js'
import { cutoverFlags } from '../flags.js'
import { millisecondsOf } from '../inputs.js'

export default class Cutover extends BaseCommand<typeof Cutover> {
  static override summary =
    'Phase 4: make the database the source of truth, with no process stopped. Guard: phase dual-read, no unresolved mismatch, no foreign write since a clean validation started, room for the backup and a rewrite of the legacy file.'

  static override examples = [
    '<%= config.bin %> <%= command.id %> --dry-run',
    '<%= config.bin %> <%= command.id %> --freeze-timeout 10',
  ]

  static override flags = cutoverFlags

  async run(): Promise<void> {
    const steps: CutoverStep[] = []
    this.stopOnSignal(() => cutoverStopped(steps))
    const result = await cutover({
      jsonFile: this.jsonFile,
      target: this.database,
      freezeTimeoutMs: millisecondsOf(this.flags['freeze-timeout']),
      dryRun: this.flags['dry-run'],
      force: this.flags.force,
      reason: this.flags.reason,
      onStep: (step) => {
        steps.push(step)
        if (!this.jsonEnabled()) this.logToStderr(cutoverStepLine(step))
      },
    })
    if (this.jsonEnabled()) this.printJson(result)
    else this.log(cutoverText(result))
  }
}
