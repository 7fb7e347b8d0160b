import { Args } from '@oclif/core'
import { withReadTracker } from '@skill-metrics/migration'
import { BaseCommand } from '../base-command.js'
import { sourceFlags } from '../flags.js'
import { metricsJson, metricsTable, selectSkill } from '../metrics-output.js'

export default class Metrics extends BaseCommand<typeof Metrics> {
  static override summary = 'Per-skill metrics: counts, completion rate, durations and percentiles.'
  static override writesDatabase = false
  static override readsLegacyFile = true
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> code-review --json',
  ]

  static override args = {
    skill: Args.string({ description: 'Show only this skill.' }),
  }

  static override flags = sourceFlags

  async run(): Promise<void> {
    const { source, result: all } = await withReadTracker(
      { jsonFile: this.jsonFile, db: this.database, source: this.flags.source },
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
