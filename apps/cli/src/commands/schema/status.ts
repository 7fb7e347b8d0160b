import { BaseCommand } from '../../base-command.js'
import { schemaFlags } from '../../flags.js'
import { statusText } from '../../schema-output.js'
import { withSchemaRunner } from '../../schema-runner.js'

export default class SchemaStatus extends BaseCommand<typeof SchemaStatus> {
  static override summary =
    'Every schema version with its state: applied, pending, failed, checksum-mismatch, missing-file, out-of-order.'
  static override writesDatabase = false

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
  ]

  static override flags = schemaFlags

  async run(): Promise<void> {
    // Looking never writes: the database is opened read-only.
    const status = await withSchemaRunner(
      this.database,
      { ...this.flags, 'dry-run': true },
      (runner) => runner.status(),
    )
    if (this.jsonEnabled()) this.printJson(status)
    else this.log(await statusText(status))
  }
}
