import { JsonFileTracker } from '@skill-metrics/json-tracker'
import { BaseCommand } from '../base-command.js'

export default class Report extends BaseCommand<typeof Report> {
  static override summary = "The original tool's text report, unchanged."

  async run(): Promise<void> {
    const report = await new JsonFileTracker({ file: this.jsonFile }).generateReport()
    if (this.jsonEnabled()) this.printJson({ report })
    else this.log(report)
  }
}
