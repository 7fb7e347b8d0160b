import { resolve } from 'node:path'
import { Flags } from '@oclif/core'
import { InconsistencyError } from '@skill-metrics/core'
import { differenceCount, runValidation } from '@skill-metrics/migration'
import { BaseCommand } from '../../base-command.js'
import { progressBar } from '../../progress.js'
import { forceFlags } from '../../schema-output.js'

export default class DataValidate extends BaseCommand<typeof DataValidate> {
  static override summary =
    'Compare the legacy file with the database: every skill aggregate, every invocation by id. Exit 5 on any difference; a clean run moves dual-write to migrated.'

  static override flags = {
    report: Flags.string({
      summary: 'Write the full comparison (every difference with its fields) to this JSON file.',
    }),
    ...forceFlags,
  }

  async run(): Promise<void> {
    const bar = progressBar('Validating')
    const { report, advanced } = await runValidation({
      jsonFile: this.jsonFile,
      target: this.database,
      force: this.flags.force,
      reason: this.flags.reason,
      reportFile: this.flags.report === undefined ? undefined : resolve(this.flags.report),
      onProgress: (progress) =>
        bar.update(progress.bytesRead, progress.totalBytes, progress.compared),
    }).finally(() => bar.stop())
    if (this.jsonEnabled()) this.printJson({ ...report, advancedTo: advanced?.to ?? null })
    else {
      const { skills, invocations } = report
      this.log(
        `Skills        ${skills.compared} compared · ${skills.missing.length} missing · ${skills.extra.length} extra · ${skills.mismatched.length} mismatched`,
      )
      this.log(
        `Invocations   ${invocations.compared.toLocaleString('en')} compared · ${invocations.missing.length} missing · ${invocations.extra.length} extra · ${invocations.mismatched.length} mismatched · ${invocations.inFlight} in flight (settled)`,
      )
      if (report.rejected.length > 0)
        this.log(`Rejected      ${report.rejected.length} records the legacy schema refuses`)
      for (const mismatch of [
        ...skills.mismatched.slice(0, 5),
        ...invocations.mismatched.slice(0, 5),
      ]) {
        const name =
          'name' in mismatch
            ? `skill ${JSON.stringify(mismatch.name)}`
            : `invocations[${mismatch.index}] ${mismatch.id}`
        this.log(
          `  ${name}: ${mismatch.diffs.map((diff) => `${diff.field} file ${JSON.stringify(diff.json)} ≠ db ${JSON.stringify(diff.db)}`).join('; ')}`,
        )
      }
      if (report.clean)
        this.log(
          `Clean.${advanced === null ? '' : ` Phase is now ${advanced.to} (epoch ${advanced.epoch}).`}`,
        )
      else if (advanced !== null)
        this.log(
          `Differences accepted with --force: phase is now ${advanced.to} (epoch ${advanced.epoch}); the reason is in the history.`,
        )
    }
    // Differences the user accepted with --force moved the phase on: that run succeeded.
    if (!report.clean && advanced === null) {
      throw new InconsistencyError(
        `${differenceCount(report)} difference(s) between the legacy file and the database`,
        {
          nextStep:
            report.rejected.length > 0
              ? 'Fix the rejected records in the file and run skill-metrics data migrate, or accept them: skill-metrics data validate --force --reason "…"'
              : 'Run skill-metrics data migrate (JSON wins), then validate again.',
        },
      )
    }
  }
}
