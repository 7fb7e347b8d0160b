import { cleanup } from '@skill-metrics/migration'
import { BaseCommand } from '../base-command.js'
import { CLEANUP_STOPPED, cleanupText } from '../cleanup-output.js'
import { confirmOnTerminal } from '../confirm.js'
import { cleanupFlags } from '../flags.js'
import { parseRetentionDays } from '../inputs.js'

export default class Cleanup extends BaseCommand<typeof Cleanup> {
  static override summary =
    'Phase 5: once the retention period since cutover is over and the file is as cutover left it, archive the legacy file (gzip, sha256 manifest, verified) and remove it; the database is the only store. Asks on a terminal first (--yes does not).'

  static override examples = [
    '<%= config.bin %> <%= command.id %> --dry-run',
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --retention-days 0 --force --reason "archived by hand"',
  ]

  static override flags = cleanupFlags

  async run(): Promise<void> {
    this.stopOnSignal(() => CLEANUP_STOPPED)
    const outcome = await cleanup({
      jsonFile: this.jsonFile,
      target: this.database,
      retentionDays: parseRetentionDays(this.flags['retention-days']),
      force: this.flags.force,
      reason: this.flags.reason,
      dryRun: this.flags['dry-run'],
      confirm: confirmOnTerminal(this.flags.yes),
    })
    if (this.jsonEnabled()) this.printJson(outcome)
    else this.log(cleanupText(outcome, this.jsonFile))
    this.refuseLikeTheRealRun(outcome.wouldRefuse)
  }
}
