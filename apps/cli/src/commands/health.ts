import { checkHealth, healthFailure } from '@skill-metrics/migration'
import { BaseCommand } from '../base-command.js'
import { checkLines, healthyText } from '../health-output.js'

export default class Health extends BaseCommand<typeof Health> {
  static override summary =
    'Database reachable, schema at the latest version, phase and epoch consistent, no stuck lock, last validation, no foreign writer while the file is the source of truth, the file as cutover left it after; warns (exit 0) when a folder of the file or the SQLite database has less free space than two copies of the file, or when only optional schema versions are pending. Exit 4 naming the failed checks.'
  static override writesDatabase = false
  static override readsLegacyFile = true

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --db postgres://app@db.internal/metrics --json',
  ]

  async run(): Promise<void> {
    const report = await checkHealth({ jsonFile: this.jsonFile, target: this.database })
    const failure = healthFailure(report)
    // Under --json the report keeps its shape when a check failed: the error joins it.
    if (this.jsonEnabled()) this.printJson(report)
    else this.log(failure === null ? healthyText(report.checks) : checkLines(report.checks))
    if (failure !== null) throw failure
  }
}
