import { resolve } from 'node:path'
import { Args } from '@oclif/core'
import { generateLegacyFile } from '@skill-metrics/migration'
import { BaseCommand } from '../base-command.js'
import { generateFlags } from '../flags.js'

export default class Generate extends BaseCommand<typeof Generate> {
  static override summary = 'Write a deterministic legacy file of synthetic invocations.'
  static override writesDatabase = false
  static override examples = ['<%= config.bin %> <%= command.id %> big.json --invocations 100000']

  static override args = {
    out: Args.string({ description: 'The legacy file to write.', required: true }),
  }

  static override flags = generateFlags

  async run(): Promise<void> {
    const out = resolve(this.args.out)
    const { invocations, skills, seed, force } = this.flags
    const result = await generateLegacyFile(out, { invocations, skills, seed, overwrite: force })
    if (this.jsonEnabled()) {
      this.printJson({ file: out, ...result })
    } else {
      this.log(
        `Wrote ${out}: ${result.invocations} invocations (${result.completed} completed, ${result.abandoned} abandoned, ${result.pending} pending) of ${result.skills} skills, ${result.bytes} bytes`,
      )
    }
  }
}
