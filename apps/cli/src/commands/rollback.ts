import { Flags } from '@oclif/core'
import { ROLLBACK_TARGETS, rollback } from '@skill-metrics/migration'
import { BaseCommand } from '../base-command.js'
import { checkLines } from '../health-output.js'
import { dryRunFlag } from '../schema-output.js'

export default class Rollback extends BaseCommand<typeof Rollback> {
  static override summary =
    'Go back to a phase where the legacy file is the source of truth; from db-primary or cleaned the file is regenerated from the database first (nothing written after cutover is lost).'

  static override flags = {
    to: Flags.string({
      summary: 'The phase to go back to (default dual-write).',
      options: [...ROLLBACK_TARGETS],
    }),
    force: Flags.boolean({
      summary:
        'Regenerate the legacy file though the free-space check fails (needs --reason; recorded).',
      dependsOn: ['reason'],
    }),
    reason: Flags.string({ summary: 'Why, recorded in the phase history.' }),
    'dry-run': dryRunFlag,
  }

  async run(): Promise<void> {
    const result = await rollback({
      jsonFile: this.jsonFile,
      target: this.database,
      to: this.flags.to as (typeof ROLLBACK_TARGETS)[number] | undefined,
      force: this.flags.force,
      reason: this.flags.reason,
      dryRun: this.flags['dry-run'],
    })
    if (this.jsonEnabled()) {
      this.printJson(result)
      return
    }
    if (!result.moved) {
      this.log(`Already ${result.to} (epoch ${result.epoch}); nothing to do.`)
      return
    }
    if (result.checks.length > 0) this.log(checkLines(result.checks))
    const regenerated = result.regenerated
    if (result.dryRun) {
      this.log(
        regenerated === null
          ? `Would move ${result.from} → ${result.to} (epoch ${result.epoch}); the legacy file already holds everything.`
          : `Would regenerate ${this.jsonFile} from the database (${regenerated.invocations} invocations, ${regenerated.skills} skills), then move ${result.from} → ${result.to} (epoch ${result.epoch}).`,
      )
      return
    }
    if (regenerated !== null) {
      this.log(
        `Regenerated ${this.jsonFile} from the database: ${regenerated.invocations} invocations, ${regenerated.skills} skills, ${regenerated.bytes} bytes.`,
      )
      if (result.backup !== null)
        this.log(`The previous file: ${result.backup.path} (sha256 in ${result.backup.manifest})`)
    }
    this.log(
      `${result.to} (epoch ${result.epoch}). The legacy file is the source of truth.${result.to === 'dual-write' ? '\nNext: skill-metrics data migrate' : ''}`,
    )
  }
}
