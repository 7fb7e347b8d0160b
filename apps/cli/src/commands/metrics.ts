import { Args } from '@oclif/core'
import { readMetrics } from '@skill-metrics/json-tracker'
import { BaseCommand } from '../base-command.js'
import { metricsJson, metricsTable, selectSkill } from '../metrics-output.js'

export default class Metrics extends BaseCommand<typeof Metrics> {
  static override summary = 'Per-skill metrics: counts, completion rate, durations and percentiles.'
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> code-review --json',
  ]

  static override args = {
    skill: Args.string({ description: 'Show only this skill.' }),
  }

  async run(): Promise<void> {
    const all = await readMetrics(this.jsonFile)
    const metrics =
      this.args.skill === undefined ? all : selectSkill(all, this.args.skill, this.jsonFile)
    if (this.jsonEnabled()) this.printJson(metricsJson(metrics))
    else this.log(await metricsTable(metrics))
  }
}
