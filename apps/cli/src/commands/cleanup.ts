import { Flags } from '@oclif/core'
import { cleanup, DEFAULT_RETENTION_DAYS } from '@skill-metrics/migration'
import { BaseCommand } from '../base-command.js'
import { checkLines } from '../health-output.js'
import { parseRetentionDays } from '../inputs.js'
import { dryRunFlag, forceFlags } from '../schema-output.js'

export default class Cleanup extends BaseCommand<typeof Cleanup> {
  static override summary =
    'Phase 5: once the retention period since cutover is over, archive the legacy file (gzip, sha256 manifest, verified) and remove it; the database is the only store.'

  static override flags = {
    'retention-days': Flags.string({
      summary: `Days that must pass since cutover (default ${DEFAULT_RETENTION_DAYS}).`,
    }),
    ...forceFlags,
    'dry-run': dryRunFlag,
  }

  async run(): Promise<void> {
    const { force, reason, 'dry-run': dryRun } = this.flags
    const outcome = await cleanup({
      jsonFile: this.jsonFile,
      target: this.database,
      retentionDays: parseRetentionDays(this.flags['retention-days']),
      force,
      reason,
      dryRun,
    })
    if (this.jsonEnabled()) {
      this.printJson(outcome)
      return
    }
    this.log(checkLines(outcome.checks))
    const { archive } = outcome
    if (dryRun) {
      this.log(
        `Would move ${outcome.from} → cleaned (epoch ${outcome.epoch}), ${outcome.legacyFileFound ? `archiving ${this.jsonFile} and removing it` : `with no legacy file at ${this.jsonFile} to archive`}.`,
      )
    } else if (archive === null) {
      this.log(
        `cleaned (epoch ${outcome.epoch}). No legacy file at ${this.jsonFile}: nothing to archive. The database is the only store.`,
      )
    } else {
      this.log(
        [
          `cleaned (epoch ${outcome.epoch}). The database is the only store.`,
          `Archived   ${archive.path} (${archive.original.size.toLocaleString('en')} → ${archive.compressed.size.toLocaleString('en')} bytes, read back and verified)`,
          `Manifest   ${archive.manifest}`,
          `Removed    ${this.jsonFile}`,
        ].join('\n'),
      )
    }
  }
}
