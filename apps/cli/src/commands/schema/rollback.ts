import { rollbackSchema } from '@skill-metrics/migration'
import { BaseCommand } from '../../base-command.js'
import { confirmOnTerminal } from '../../confirm.js'
import { schemaRollbackFlags } from '../../flags.js'
import { millisecondsOf } from '../../inputs.js'
import { planText, stepLine } from '../../schema-output.js'

export default class SchemaRollback extends BaseCommand<typeof SchemaRollback> {
  static override summary =
    'Undo applied versions above --to, newest first, with the rollback SQL stored when each was applied. Refused below the version the current phase needs unless --force --reason (recorded); asks on a terminal before dropping tables.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> --to 2 --dry-run',
    '<%= config.bin %> <%= command.id %> --to 3 --force --reason "restore from backup follows" --yes',
  ]

  static override flags = schemaRollbackFlags

  async run(): Promise<void> {
    const { flags } = this
    const result = await rollbackSchema({
      jsonFile: this.jsonFile,
      target: this.database,
      to: flags.to,
      force: flags.force,
      reason: flags.reason,
      dryRun: flags['dry-run'],
      migrationsDir: flags['migrations-dir'],
      lockTimeoutMs: millisecondsOf(flags['lock-timeout']),
      confirm: confirmOnTerminal(flags.yes),
      onStep: (step) => {
        if (!this.jsonEnabled()) this.log(stepLine('Undoing', step))
      },
    })
    if (this.jsonEnabled()) this.printJson(result)
    else if (result.dryRun) this.log(planText('Undo', result.steps))
    else
      this.log(
        `Schema at V${result.current} (${result.steps.length} undone)${result.forced ? `; forced below V${result.needs}, which ${result.phase} needs (recorded)` : ''}`,
      )
    this.refuseLikeTheRealRun(result.wouldRefuse)
  }
}
