import { Args } from '@oclif/core'
import { BaseCommand } from '../base-command.js'
import { metricsJson, metricsTable, selectSkill } from '../metrics-output.js'
import { resolveSource, sourceFlag, withReadTracker } from '../read-source.js'

export default class Metrics extends BaseCommand<typeof Metrics> {
  static override summary = 'Per-skill metrics: counts, completion rate, durations and percentiles.'
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> code-review --json',
  ]

  static override args = {
    skill: Args.string({ description: 'Show only this skill.' }),
  }

  static override flags = { source: sourceFlag }

  async run(): Promise<void> {
    const source = await resolveSource(this.flags.source, this.jsonFile)
    const all = await withReadTracker(
      this.flags.source,
      source,
      this.jsonFile,
      this.database,
      (tracker) => tracker.getAllMetrics(),
    )
    const metrics =
      this.args.skill === undefined
        ? all
        : selectSkill(all, this.args.skill, source === 'db' ? this.database.display : this.jsonFile)
    if (this.jsonEnabled()) this.printJson(metricsJson(metrics))
    else this.log(await metricsTable(metrics))
  }
}
