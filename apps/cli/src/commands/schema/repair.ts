import { BaseCommand } from '../../base-command.js'
import { schemaRepairFlags } from '../../flags.js'
import { withSchemaRunner } from '../../schema-runner.js'

export default class SchemaRepair extends BaseCommand<typeof SchemaRepair> {
  static override summary =
    'Clear failed versions and, with --realign, record intended edits of applied files; every change is audited.'
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --realign 1',
  ]

  static override flags = schemaRepairFlags

  async run(): Promise<void> {
    const { realign, 'dry-run': dryRun } = this.flags
    const actions = await withSchemaRunner(this.database, this.flags, (runner) =>
      runner.repair({ realign: realign ?? [], dryRun }),
    )
    if (this.jsonEnabled()) this.printJson({ dryRun, actions })
    else if (actions.length === 0) this.log('Nothing to repair.')
    else this.log(actions.map((action) => `${dryRun ? 'Would have ' : ''}${action}`).join('\n'))
  }
}
