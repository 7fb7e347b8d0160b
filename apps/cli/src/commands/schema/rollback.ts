import { BaseCommand } from '../../base-command.js'
import { schemaRollbackFlags } from '../../flags.js'
import { planText, stepLine } from '../../schema-output.js'
import { withSchemaRunner } from '../../schema-runner.js'

export default class SchemaRollback extends BaseCommand<typeof SchemaRollback> {
  static override summary =
    'Undo applied versions above --to, newest first, with the rollback SQL stored when each was applied.'
  static override examples = ['<%= config.bin %> <%= command.id %> --to 2 --dry-run']

  static override flags = schemaRollbackFlags

  async run(): Promise<void> {
    const { to, 'dry-run': dryRun } = this.flags
    await withSchemaRunner(this.database, this.flags, async (runner) => {
      const steps = await runner.rollback({
        to,
        dryRun,
        onStep: (step) => {
          if (!this.jsonEnabled()) this.log(stepLine('Undoing', step))
        },
      })
      if (this.jsonEnabled())
        this.printJson({ dryRun, steps, current: (await runner.status()).current })
      else if (dryRun) this.log(planText('Undo', steps))
      else this.log(`Schema at V${(await runner.status()).current} (${steps.length} undone)`)
    })
  }
}
