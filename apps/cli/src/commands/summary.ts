import { summaryToJson } from '@skill-metrics/core'
import { JsonFileTracker } from '@skill-metrics/json-tracker'
import { BaseCommand } from '../base-command.js'
import { summaryText } from '../metrics-output.js'

export default class Summary extends BaseCommand<typeof Summary> {
  static override summary = 'The summary over all skills (the original get_summary()).'

  async run(): Promise<void> {
    const summary = await new JsonFileTracker({ file: this.jsonFile }).getSummary()
    if (this.jsonEnabled()) this.printJson(summaryToJson(summary))
    else this.log(summaryText(summary))
  }
}
