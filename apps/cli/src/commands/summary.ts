import { summaryToJson } from '@skill-metrics/core'
import { withReadTracker } from '@skill-metrics/migration'
import { BaseCommand } from '../base-command.js'
import { sourceFlags } from '../flags.js'
import { summaryText } from '../metrics-output.js'

export default class Summary extends BaseCommand<typeof Summary> {
  static override summary = 'The summary over all skills (the original get_summary()).'
  static override writesDatabase = false
  static override readsLegacyFile = true

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
  ]

  static override flags = sourceFlags

  async run(): Promise<void> {
    const { result: summary } = await withReadTracker(
      { jsonFile: this.jsonFile, db: this.database, source: this.flags.source },
      (tracker) => tracker.getSummary(),
    )
    if (this.jsonEnabled()) this.printJson(summaryToJson(summary))
    else this.log(summaryText(summary))
  }
}
