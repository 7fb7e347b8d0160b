import { BaseCommand } from '../base-command.js'
import { resolveSource, sourceFlag, withReadTracker } from '../read-source.js'

export default class Report extends BaseCommand<typeof Report> {
  static override summary = "The original tool's text report, unchanged."

  static override flags = { source: sourceFlag }

  async run(): Promise<void> {
    const source = await resolveSource(this.flags.source, this.jsonFile)
    const report = await withReadTracker(
      this.flags.source,
      source,
      this.jsonFile,
      this.database,
      (tracker) => tracker.generateReport(),
    )
    if (this.jsonEnabled()) this.printJson({ report })
    else this.log(report)
  }
}
