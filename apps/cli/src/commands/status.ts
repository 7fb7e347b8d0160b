import { migrationStatus, nextCommand } from '@skill-metrics/migration'
import { BaseCommand } from '../base-command.js'
import { statusText } from '../status-output.js'

export default class Status extends BaseCommand<typeof Status> {
  static override summary =
    'The phase and epoch, both stores, pending schema versions, foreign writes (and after cutover a changed legacy file), what was restored or imported, the last validation and the next command.'
  static override writesDatabase = false
  static override readsLegacyFile = true

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json-file ~/.session-buddy/skill_metrics.json --json',
  ]

  async run(): Promise<void> {
    const status = await migrationStatus(this.jsonFile, this.database)
    if (this.jsonEnabled()) this.printJson({ ...status, next: nextCommand(status) })
    else this.log(statusText(status))
  }
}
