import { Flags } from '@oclif/core'
import { BaseCommand } from '../../base-command.js'
import { dryRunFlag, schemaFlags, withSchemaRunner } from '../../schema-output.js'

export default class SchemaBaseline extends BaseCommand<typeof SchemaBaseline> {
  static override summary =
    'Adopt an existing schema: record versions up to --version as applied without running them.'

  static override flags = {
    ...schemaFlags,
    version: Flags.integer({
      summary: 'The version the existing schema is at.',
      required: true,
      min: 1,
    }),
    'dry-run': dryRunFlag,
  }

  async run(): Promise<void> {
    const { version, 'dry-run': dryRun } = this.flags
    const adopted = await withSchemaRunner(this.database, this.flags, (runner) =>
      runner.baseline({ version, dryRun }),
    )
    if (this.jsonEnabled()) this.printJson({ dryRun, adopted })
    else
      this.log(
        `${dryRun ? 'Would adopt' : 'Adopted'} V${adopted.join(', V')} as applied (baseline).`,
      )
  }
}
