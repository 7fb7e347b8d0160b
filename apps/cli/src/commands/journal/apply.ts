import { applyJournal } from '@skill-metrics/migration/start'
import { BaseCommand } from '../../base-command.js'
import { journalApplyFlags } from '../../flags.js'
import { millisecondsOf, parseJournalEntry } from '../../inputs.js'
import { journalApplyText, missedWarning } from '../../track-output.js'

export default class JournalApply extends BaseCommand<typeof JournalApply> {
  static override summary =
    'Apply the changes waiting in the group-commit journal where the phase keeps the truth.'
  static override description =
    "Writers that found the writers' lock busy, and the Python client always, leave their changes in <legacy file>.journal; any write applies them, and so does this. With --entry, that entry (already appended to the journal by its writer) is applied for sure, exactly once by its entry id, and the command returns as soon as it is."
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    `<%= config.bin %> <%= command.id %> --entry '{"entry":"…","kind":"invocation","record":{…},"session_id":null}' --json`,
  ]

  static override flags = journalApplyFlags

  async run(): Promise<void> {
    const { flags } = this
    const entry = flags.entry === undefined ? undefined : parseJournalEntry(flags.entry)
    const applied = await applyJournal(
      {
        jsonFile: this.jsonFile,
        db: this.database,
        lockTimeoutMs: millisecondsOf(flags['lock-timeout']),
      },
      entry,
    )
    for (const why of new Set(applied.missed)) this.logToStderr(missedWarning(why))
    if (this.jsonEnabled()) this.printJson(applied)
    else this.log(journalApplyText(applied))
  }
}
