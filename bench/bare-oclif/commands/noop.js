import { Command } from '@oclif/core'

export default class Noop extends Command {
  static summary = 'Does nothing: what any oclif command costs to start.'

  async run() {}
}
