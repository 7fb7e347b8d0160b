import { resolve } from 'node:path'
import { Args } from '@oclif/core'
import { BaseCommand } from '../base-command.js'
import { resolveSource, sourceFlag, withReadTracker } from '../read-source.js'

export default class Export extends BaseCommand<typeof Export> {
  static override summary =
    'Write the legacy export (summary, skills, invocations, exported_at) to a file.'

  static override args = {
    out: Args.string({
      description: 'The file to write (replaced when it exists).',
      required: true,
    }),
  }

  static override flags = { source: sourceFlag }

  async run(): Promise<void> {
    const source = await resolveSource(this.flags.source, this.jsonFile)
    const out = resolve(this.args.out)
    await withReadTracker(this.flags.source, source, this.jsonFile, this.database, (tracker) =>
      tracker.exportMetrics(out),
    )
    const from = source === 'db' ? this.database.display : this.jsonFile
    if (this.jsonEnabled()) this.printJson({ source, from, exported_to: out })
    else this.log(`Exported ${from} to ${out}`)
  }
}
