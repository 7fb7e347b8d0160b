import { Flags } from '@oclif/core'
import { type CutoverStep, cutover, DEFAULT_FREEZE_TIMEOUT_MS } from '@skill-metrics/migration'
import { BaseCommand } from '../base-command.js'
import { checkLines } from '../health-output.js'
import { dryRunFlag, forceFlags } from '../schema-output.js'

const STEP_TEXT: Record<CutoverStep, string> = {
  sync: 'syncing the database with the legacy file (writers go on)',
  validate: 'validating every record and skill (writers go on)',
  backup: 'backing the legacy file up with a sha256 manifest',
  freeze: "freeze: holding the writers' lock; syncing and comparing what changed since",
  flip: 'moving phase and epoch to db-primary',
  health: 'checking health',
}

export default class Cutover extends BaseCommand<typeof Cutover> {
  static override summary =
    'Phase 4: make the database the source of truth, with no process stopped. Guard: phase dual-read, no unresolved mismatch, no foreign writer, room for the backup and a rewrite of the legacy file.'

  static override flags = {
    'freeze-timeout': Flags.integer({
      summary: `Seconds writers may be held waiting during the final sync (default ${DEFAULT_FREEZE_TIMEOUT_MS / 1000}); past it nothing changes.`,
      min: 1,
      max: 600,
    }),
    force: Flags.boolean({
      summary: 'Cut over though the free-space check fails (needs --reason; recorded).',
      dependsOn: ['reason'],
    }),
    reason: forceFlags.reason,
    'dry-run': dryRunFlag,
  }

  async run(): Promise<void> {
    const freezeTimeout = this.flags['freeze-timeout']
    const result = await cutover({
      jsonFile: this.jsonFile,
      target: this.database,
      freezeTimeoutMs: freezeTimeout === undefined ? undefined : freezeTimeout * 1000,
      dryRun: this.flags['dry-run'],
      force: this.flags.force,
      reason: this.flags.reason,
      onStep: (step) => {
        if (!this.jsonEnabled()) this.logToStderr(`… ${STEP_TEXT[step]}`)
      },
    })
    if (this.jsonEnabled()) {
      this.printJson(result)
      return
    }
    this.log(checkLines([...result.checks, ...result.health]))
    if (result.dryRun) {
      this.log(`Would cut over ${result.from} → db-primary (epoch ${result.epoch}).`)
    } else if (!result.moved) {
      this.log(`Already db-primary (epoch ${result.epoch}); nothing to do.`)
    } else {
      if (result.backup !== null)
        this.log(`Backup: ${result.backup.path} (sha256 in ${result.backup.manifest})`)
      this.log(
        `Freeze: ${result.freeze!.ms} ms (synced ${result.freeze!.inserted} new, ${result.freeze!.updated} changed; compared ${result.freeze!.validated} records)`,
      )
      this.log(
        `db-primary (epoch ${result.epoch}). Writers go to the database only.\nTo go back: skill-metrics rollback\nNext: skill-metrics cleanup (after the retention period)`,
      )
    }
  }
}
