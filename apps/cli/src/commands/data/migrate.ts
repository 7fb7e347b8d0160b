import { type MigrateProgress, runDataMigration } from '@skill-metrics/migration'
import { BaseCommand } from '../../base-command.js'
import { displacedWarning, migrateStage, migrateStopped, migrateText } from '../../data-output.js'
import { dataMigrateFlags } from '../../flags.js'
import { progressBar } from '../../progress.js'

export default class DataMigrate extends BaseCommand<typeof DataMigrate> {
  static override summary =
    'Phase 2: make the database equal to the legacy file (JSON wins), in batches, while writers go on; put back into the file what a foreign save erased. After cutover: import what another writer added to the file.'

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --batch-size 5000 --dry-run',
    '<%= config.bin %> <%= command.id %> --final',
  ]

  static override flags = dataMigrateFlags

  async run(): Promise<void> {
    const bar = await progressBar('Migrating')
    let last: MigrateProgress | undefined
    this.stopOnSignal(() => migrateStopped(last), bar.stop)
    const { result, failure } = await runDataMigration({
      jsonFile: this.jsonFile,
      target: this.database,
      final: this.flags.final,
      batchSize: this.flags['batch-size'],
      dryRun: this.flags['dry-run'],
      force: this.flags.force,
      reason: this.flags.reason,
      onProgress: (progress) => {
        last = progress
        bar.update(
          progress.bytesRead,
          progress.totalBytes,
          progress.read,
          migrateStage(progress.pass),
        )
      },
    }).finally(() => bar.stop())
    if (this.jsonEnabled()) this.printJson(result)
    else this.log(migrateText(result, this.jsonFile))
    if (result.displaced > 0) this.warn(displacedWarning(result.displaced))
    if (failure !== null) throw failure
  }
}
