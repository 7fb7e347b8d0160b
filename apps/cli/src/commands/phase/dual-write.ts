import { dualWriteGuard } from '@skill-metrics/migration'
import type { CommandFlags } from '../../base-command.js'
import { dualWriteFlags } from '../../flags.js'
import { PhaseCommand } from '../../phase-command.js'

export default class PhaseDualWrite extends PhaseCommand {
  static override summary =
    'Phase 1: writes go to the legacy file first, then the database. Guard: schema at the latest version, the file there (or --allow-empty) and valid, no foreign writer.'

  static override examples = [
    '<%= config.bin %> <%= command.id %> --dry-run',
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json-file ~/.session-buddy/skill_metrics.json --allow-empty',
  ]

  static override flags = dualWriteFlags

  declare protected flags: CommandFlags<typeof PhaseDualWrite>

  protected readonly to = 'dual-write'
  protected readonly from = ['json-only'] as const
  protected get guard() {
    return dualWriteGuard({ allowEmpty: this.flags['allow-empty'] })
  }
  protected readonly done =
    'Writes go to the file first, then the database.\nNext: skill-metrics data migrate'
}
