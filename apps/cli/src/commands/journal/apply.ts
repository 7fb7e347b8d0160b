import { createInterface } from 'node:readline'
import { type AppliedJournal, applyJournal, JournalApplier } from '@skill-metrics/migration/start'
import { BaseCommand } from '../../base-command.js'
import { journalApplyFlags } from '../../flags.js'
import { millisecondsOf, parseJournalEntry } from '../../inputs.js'
import { journalApplyText, missedWarning } from '../../track-output.js'

export default class JournalApply extends BaseCommand<typeof JournalApply> {
  static override summary =
    'Apply the changes waiting in the group-commit journal where the phase keeps the truth.'
  static override description =
    "Writers that found the writers' lock busy, and the Python client always, leave their changes in <legacy file>.journal; any write applies them, and so does this. With --entry, that entry is applied for sure, exactly once by its entry id however often it is given (it is appended to the journal first unless its writer did), and the command returns as soon as it is. With --serve, entries come one JSON line each on standard input and each gets one JSON line on standard output: {line, ok: true, result} (as --json prints) or {line, ok: false, error: {message}}; a failed entry stays in the journal and the run goes on until standard input ends."
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    `<%= config.bin %> <%= command.id %> --entry '{"entry":"…","kind":"invocation","record":{…},"session_id":null}' --json`,
    '<%= config.bin %> <%= command.id %> --serve < entries.jsonl',
  ]

  static override flags = journalApplyFlags

  async run(): Promise<void> {
    const { flags } = this
    const options = {
      jsonFile: this.jsonFile,
      db: this.database,
      lockTimeoutMs: millisecondsOf(flags['lock-timeout']),
    }
    if (flags.serve) return this.serve(new JournalApplier(options))
    const entry = flags.entry === undefined ? undefined : parseJournalEntry(flags.entry)
    const applied = await applyJournal(options, entry)
    for (const why of new Set(applied.missed)) this.logToStderr(missedWarning(why))
    if (this.jsonEnabled()) this.printJson(applied)
    else this.log(journalApplyText(applied))
  }

  /** One answer per line, in order; an entry that fails is answered and waits in the journal. */
  async serve(applier: JournalApplier): Promise<void> {
    // A caller that stopped reading (its process ended) leaves the entries it sent to be applied
    // all the same: an answer that cannot be written is reported here, not a crash.
    process.stdout.on('error', (error) =>
      this.logToStderr(
        `skill-metrics journal apply --serve: an answer was not delivered: ${error.message}`,
      ),
    )
    let line = 0
    try {
      for await (const text of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
        line += 1
        if (text.trim() === '') continue
        let answer: {
          line: number
          ok: boolean
          result?: AppliedJournal
          error?: { message: string }
        }
        try {
          answer = {
            line,
            ok: true,
            result: await applier.apply(parseJournalEntry(text, `line ${line}`)),
          }
        } catch (error) {
          const { message } = error as Error
          this.logToStderr(`skill-metrics journal apply --serve: ${message}`)
          answer = { line, ok: false, error: { message } }
        }
        for (const why of new Set(answer.result?.missed)) this.logToStderr(missedWarning(why))
        process.stdout.write(`${JSON.stringify(answer)}\n`)
      }
    } finally {
      await applier.close()
    }
  }
}
