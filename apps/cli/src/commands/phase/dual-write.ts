import { dualWriteGuard, transition } from '@skill-metrics/migration'
import { BaseCommand } from '../../base-command.js'
import { dryRunFlag, forceFlags } from '../../schema-output.js'

export default class PhaseDualWrite extends BaseCommand<typeof PhaseDualWrite> {
  static override summary =
    'Phase 1: writes go to the legacy file first, then the database. Guard: schema at the latest version, file valid, no foreign writer.'

  static override flags = {
    ...forceFlags,
    'dry-run': dryRunFlag,
  }

  async run(): Promise<void> {
    const { force, reason, 'dry-run': dryRun } = this.flags
    const outcome = await transition({
      jsonFile: this.jsonFile,
      target: this.database,
      to: 'dual-write',
      from: ['json-only'],
      guard: dualWriteGuard,
      force,
      reason,
      dryRun,
    })
    if (this.jsonEnabled()) {
      this.printJson(outcome)
      return
    }
    for (const check of outcome.checks)
      this.log(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`)
    this.log(
      dryRun
        ? `Would move ${outcome.from} → dual-write (epoch ${outcome.epoch}).`
        : `dual-write (epoch ${outcome.epoch}). Writes go to the file first, then the database.\nNext: skill-metrics data migrate`,
    )
  }
}
