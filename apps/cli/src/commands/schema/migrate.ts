import { Flags } from '@oclif/core'
import { BaseCommand } from '../../base-command.js'
import {
  dryRunFlag,
  planText,
  schemaFlags,
  stepLine,
  withSchemaRunner,
} from '../../schema-output.js'

export default class SchemaMigrate extends BaseCommand<typeof SchemaMigrate> {
  static override summary =
    'Apply pending schema versions, each in one transaction, under the schema lock.'
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --target 2 --dry-run',
  ]

  static override flags = {
    ...schemaFlags,
    target: Flags.integer({ summary: 'Stop at this version (default: the latest).', min: 0 }),
    'dry-run': dryRunFlag,
  }

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
