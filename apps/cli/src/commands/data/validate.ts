import { resolve } from 'node:path'
import { runValidation, type ValidateProgress } from '@skill-metrics/migration'
import { BaseCommand } from '../../base-command.js'
import { validateStopped, validationJson, validationText } from '../../data-output.js'
import { dataValidateFlags } from '../../flags.js'
import { progressBar } from '../../progress.js'

export default class DataValidate extends BaseCommand<typeof DataValidate> {
  static override summary =
    'Compare the legacy file with the database: every skill aggregate, every invocation by id. Exit 5 on any difference; a clean run moves dual-write to migrated.'

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --report validation.json',
    '<%= config.bin %> <%= command.id %> --force --reason "3 records rejected on purpose"',
  ]

  static override flags = dataValidateFlags

  async run(): Promise<void> {
    const bar = await progressBar('Validating')
    let last: ValidateProgress | undefined
    this.stopOnSignal(() => validateStopped(last), bar.stop)
    const run = await runValidation({
      jsonFile: this.jsonFile,
      target: this.database,
      force: this.flags.force,
      reason: this.flags.reason,
      dryRun: this.flags['dry-run'],
      reportFile: this.flags.report === undefined ? undefined : resolve(this.flags.report),
      onProgress: (progress) => {
        last = progress
        bar.update(progress.bytesRead, progress.totalBytes, progress.compared)
      },
    }).finally(() => bar.stop())
    if (this.jsonEnabled()) this.printJson(validationJson(run))
    else this.log(validationText(run))
    if (run.failure !== null) throw run.failure
  }
}
