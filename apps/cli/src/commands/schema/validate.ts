import { BaseCommand } from '../../base-command.js'
import { schemaFlags } from '../../flags.js'
import { withSchemaRunner } from '../../schema-runner.js'

export default class SchemaValidate extends BaseCommand<typeof SchemaValidate> {
  static override summary =
    'For CI: exit 5 when an applied file changed, is missing or failed; 0 when the schema matches the files.'
  static override writesDatabase = false

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --migrations-dir ./migrations',
  ]

  static override flags = schemaFlags

  async run(): Promise<void> {
    const status = await withSchemaRunner(
      this.database,
      { ...this.flags, 'dry-run': true },
      (runner) => runner.validate(),
    )
    if (this.jsonEnabled())
      this.printJson({ valid: true, current: status.current, latest: status.latest })
    else this.log(`Schema valid: V${status.current} applied, files up to V${status.latest}.`)
  }
}
