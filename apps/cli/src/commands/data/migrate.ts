import { Flags } from '@oclif/core'
import { BadInputError } from '@skill-metrics/core'
import { migrateData } from '@skill-metrics/migration'
import { BaseCommand } from '../../base-command.js'
import { progressBar } from '../../progress.js'
import { dryRunFlag } from '../../schema-output.js'

export default class DataMigrate extends BaseCommand<typeof DataMigrate> {
  static override summary =
    'Phase 2: make the database equal to the legacy file (JSON wins), in batches, while writers go on.'

  static override flags = {
    final: Flags.boolean({
      summary:
        "Hold the writers' lock for the whole run: the database equals the file when it ends.",
    }),
    'batch-size': Flags.integer({
      summary:
        'Records per transaction and per checkpoint (default 20000); keep it the same between runs so a rerun can skip the batches already in sync.',
      min: 1,
      max: 100_000,
    }),
    'dry-run': dryRunFlag,
  }

  async run(): Promise<void> {
    const bar = progressBar('Migrating')
    const result = await migrateData({
      jsonFile: this.jsonFile,
      target: this.database,
      final: this.flags.final,
      batchSize: this.flags['batch-size'],
      dryRun: this.flags['dry-run'],
      onProgress: (progress) =>
        bar.update(
          progress.bytesRead,
          progress.totalBytes,
          progress.read,
          progress.pass === 'final' ? "final pass, under the writers' lock" : 'bulk pass',
        ),
    }).finally(() => bar.stop())
    if (this.jsonEnabled()) this.printJson(result)
    else {
      this.log(
        `${result.dryRun ? 'Would write: ' : ''}Read ${result.read.toLocaleString('en')} · inserted ${result.inserted.toLocaleString('en')} · updated ${result.updated.toLocaleString('en')} · unchanged ${result.unchanged.toLocaleString('en')} · rejected ${result.rejected.length} · ${result.skillsAligned} skills aligned · ${result.skippedBatches} of ${result.batches} batches already in sync (${result.seconds.toFixed(1)} s)`,
      )
    }
    if (result.displaced > 0) {
      this.warn(
        `${result.displaced} stored record(s) held positions the file now gives to others (a writer that is not skill-metrics dropped or moved records?); they are kept without a position, and skill-metrics data validate lists those the file no longer has as extra.`,
      )
    }
    if (result.rejected.length > 0) {
      throw new BadInputError(
        { file: this.jsonFile },
        `rejected ${result.rejected.length} of ${result.read} records; they stay in the file and the next phase stays closed:\n${result.rejected.map((record) => `  ${record.message}`).join('\n')}`,
        { nextStep: 'Fix the records in the file and run skill-metrics data migrate again.' },
      )
    }
  }
}
