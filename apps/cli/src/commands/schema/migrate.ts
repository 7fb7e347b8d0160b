import { BaseCommand } from '../../base-command.js'
import { schemaMigrateFlags } from '../../flags.js'
import { planText, stepLine } from '../../schema-output.js'
import { withSchemaRunner } from '../../schema-runner.js'

export default class SchemaMigrate extends BaseCommand<typeof SchemaMigrate> {
  static override summary =
    'Apply pending schema versions, each in one transaction, under the schema lock.'
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --target 2 --dry-run',
  ]

  static override flags = schemaMigrateFlags

  async run(): Promise<void> {
    const { target, 'dry-run': dryRun } = this.flags
    await withSchemaRunner(this.database, this.flags, async (runner) => {
      const steps = await runner.migrate({
        target,
        dryRun,
        onStep: (step) => {
          if (!this.jsonEnabled()) this.log(stepLine('Applying', step))
        },
      })
      const status = await runner.status()
      if (this.jsonEnabled()) {
        this.printJson({ dryRun, steps, current: status.current, latest: status.latest })
      } else if (dryRun) {
        this.log(planText('Apply', steps))
      } else {
        const pending = status.versions.filter((version) => version.state === 'pending').length
        this.log(`Schema at V${status.current} (${steps.length} applied now, ${pending} pending)`)
      }
    })
  }
}
