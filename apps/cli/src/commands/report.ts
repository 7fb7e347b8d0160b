import { withReadTracker } from '@skill-metrics/migration'
import { BaseCommand } from '../base-command.js'
import { sourceFlags } from '../flags.js'

export default class Report extends BaseCommand<typeof Report> {
  static override summary = "The original tool's text report, unchanged."
  static override writesDatabase = false
  static override readsLegacyFile = true

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --source db',
  ]

  static override flags = sourceFlags

  async run(): Promise<void> {
    const { result: report } = await withReadTracker(
      { jsonFile: this.jsonFile, db: this.database, source: this.flags.source },
      (tracker) => tracker.generateReport(),
    )
    if (this.jsonEnabled()) this.printJson({ report })
    else this.log(report)
  }
}
