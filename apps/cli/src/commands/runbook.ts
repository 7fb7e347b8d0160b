import { BaseCommand } from '../base-command.js'
import { RUNBOOK, runbookText } from '../runbook-output.js'

export default class Runbook extends BaseCommand<typeof Runbook> {
  static override summary =
    'The migration in runbook order: each step, what it does and how to go back.'

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
  ]

  async run(): Promise<void> {
    if (this.jsonEnabled()) this.printJson(RUNBOOK)
    else this.log(await runbookText(this.config.bin))
  }
}
