import { resolve } from 'node:path'
import { Args } from '@oclif/core'
import { JsonFileTracker } from '@skill-metrics/json-tracker'
import { BaseCommand } from '../base-command.js'

export default class Export extends BaseCommand<typeof Export> {
  static override summary =
    'Write the legacy export (summary, skills, invocations, exported_at) to a file.'

  static override args = {
    out: Args.string({
      description: 'The file to write (replaced when it exists).',
      required: true,
    }),
  }

  async run(): Promise<void> {
    const out = resolve(this.args.out)
    await new JsonFileTracker({ file: this.jsonFile }).exportMetrics(out)
    if (this.jsonEnabled()) this.printJson({ file: this.jsonFile, exported_to: out })
    else this.log(`Exported ${this.jsonFile} to ${out}`)
  }
}
