import { BaseCommand } from '../../base-command.js'
import { schemaBaselineFlags } from '../../flags.js'
import { withSchemaRunner } from '../../schema-runner.js'

export default class SchemaBaseline extends BaseCommand<typeof SchemaBaseline> {
  static override summary =
    'Adopt an existing schema: record versions up to --version as applied without running them.'

  static override examples = ['<%= config.bin %> <%= command.id %> --version 1 --dry-run']

  static override flags = schemaBaselineFlags

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
