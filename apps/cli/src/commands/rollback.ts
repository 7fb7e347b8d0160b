import { rollback } from '@skill-metrics/migration'
import { BaseCommand } from '../base-command.js'
import { rollbackFlags } from '../flags.js'
import { ROLLBACK_STOPPED, rollbackText } from '../rollback-output.js'

export default class Rollback extends BaseCommand<typeof Rollback> {
  static override summary =
    'Go back to a phase where the legacy file is the source of truth; from db-primary or cleaned the file is regenerated from the database first (nothing written after cutover is lost, what another writer added to the file is imported first).'

  static override examples = [
    '<%= config.bin %> <%= command.id %> --dry-run',
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --to json-only',
  ]

  static override flags = rollbackFlags

  async run(): Promise<void> {
    this.stopOnSignal(() => ROLLBACK_STOPPED)
    const result = await rollback({
      jsonFile: this.jsonFile,
      target: this.database,
      to: this.flags.to,
      force: this.flags.force,
      reason: this.flags.reason,
      dryRun: this.flags['dry-run'],
    })
    if (this.jsonEnabled()) this.printJson(result)
    else this.log(rollbackText(result, this.jsonFile))
  }
}
