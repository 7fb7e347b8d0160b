import { summaryToJson } from '@skill-metrics/core'
import { BaseCommand } from '../base-command.js'
import { summaryText } from '../metrics-output.js'
import { resolveSource, sourceFlag, withReadTracker } from '../read-source.js'

export default class Summary extends BaseCommand<typeof Summary> {
  static override summary = 'The summary over all skills (the original get_summary()).'

  static override flags = { source: sourceFlag }

  async run(): Promise<void> {
    const source = await resolveSource(this.flags.source, this.jsonFile)
    const summary = await withReadTracker(
      this.flags.source,
      source,
      this.jsonFile,
      this.database,
      (tracker) => tracker.getSummary(),
    )
    if (this.jsonEnabled()) this.printJson(summaryToJson(summary))
    else this.log(summaryText(summary))
  }
}
