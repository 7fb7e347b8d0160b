import { dualWriteGuard } from '@skill-metrics/migration'
import { PhaseCommand } from '../../phase-command.js'

export default class PhaseDualWrite extends PhaseCommand {
  static override summary =
    'Phase 1: writes go to the legacy file first, then the database. Guard: schema at the latest version, file valid, no foreign writer.'

  static override examples = [
    '<%= config.bin %> <%= command.id %> --dry-run',
    '<%= config.bin %> <%= command.id %>',
  ]

  protected readonly to = 'dual-write'
  protected readonly from = ['json-only'] as const
  protected readonly guard = dualWriteGuard
  protected readonly done =
    'Writes go to the file first, then the database.\nNext: skill-metrics data migrate'
}
