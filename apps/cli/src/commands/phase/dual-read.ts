import { dualReadGuard } from '@skill-metrics/migration'
import { PhaseCommand } from '../../phase-command.js'

export default class PhaseDualRead extends PhaseCommand {
  static override summary =
    'Phase 3: reads compare the database with the legacy file, which still answers. Guard: last full validation clean, no dual-write miss since, no foreign write since a clean validation started.'

  static override examples = [
    '<%= config.bin %> <%= command.id %> --dry-run',
    '<%= config.bin %> <%= command.id %>',
  ]

  protected readonly to = 'dual-read'
  protected readonly from = ['migrated'] as const
  protected readonly guard = dualReadGuard
  protected readonly done =
    'Reads compare the database with the file; the file answers.\nNext: skill-metrics cutover'
}
