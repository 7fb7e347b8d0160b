import { resolve } from 'node:path'
import { Args } from '@oclif/core'
import { withReadTracker } from '@skill-metrics/migration'
import { BaseCommand } from '../base-command.js'
import { sourceFlags } from '../flags.js'

export default class Export extends BaseCommand<typeof Export> {
  static override summary =
    'Write the legacy export (summary, skills, invocations, exported_at) to a file.'
  static override writesDatabase = false
  static override readsLegacyFile = true

  static override examples = [
    '<%= config.bin %> <%= command.id %> export.json',
    '<%= config.bin %> <%= command.id %> export.json --source db',
  ]

  static override args = {
    out: Args.string({
      description: 'The file to write (replaced when it exists).',
      required: true,
    }),
  }

  static override flags = sourceFlags

  async run(): Promise<void> {
    const out = resolve(this.args.out)
    const { source } = await withReadTracker(
      { jsonFile: this.jsonFile, db: this.database, source: this.flags.source },
      (tracker) => tracker.exportMetrics(out),
    )
    const from = source === 'db' ? this.database.display : this.jsonFile
    if (this.jsonEnabled()) this.printJson({ source, from, exported_to: out })
    else this.log(`Exported ${from} to ${out}`)
  }
}
