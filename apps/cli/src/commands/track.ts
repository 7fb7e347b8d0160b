import { Args, Flags } from '@oclif/core'
import { naiveIsoSecondsBefore } from '@skill-metrics/core'
import { openTracker } from '@skill-metrics/migration'
import { BaseCommand } from '../base-command.js'
import { parseDuration } from '../inputs.js'

export default class Track extends BaseCommand<typeof Track> {
  static override summary = 'Record one invocation of a skill, started --duration seconds ago.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> code-review --workflow-path quick --duration 12.5',
    '<%= config.bin %> <%= command.id %> pytest-runner --abandoned --error-type TimeoutError --follow-up rerun',
  ]

  static override args = {
    skill: Args.string({ description: 'The skill that ran.', required: true }),
  }

  static override flags = {
    'workflow-path': Flags.string({ summary: 'The workflow path the skill took.' }),
    abandoned: Flags.boolean({ summary: 'Record the invocation as abandoned, not completed.' }),
    'error-type': Flags.string({ summary: 'The error that ended it.' }),
    'follow-up': Flags.string({
      summary: 'A follow-up action (repeat the flag for more; duplicates count).',
      multiple: true,
      multipleNonGreedy: true,
    }),
    duration: Flags.string({ summary: 'How many seconds ago it started (default 0).' }),
    'lock-timeout': Flags.integer({
      summary: "Seconds to wait for the writers' lock before giving up with exit 4 (default 30).",
      min: 0,
    }),
  }

  async run(): Promise<void> {
    const { skill } = this.args
    const flags = this.flags
    const invokedAt = naiveIsoSecondsBefore(new Date(), parseDuration(flags.duration))
    const lockTimeout = flags['lock-timeout']
    // The phase decides where the write goes: the legacy file, both stores, or the database.
    const tracker = await openTracker({
      jsonFile: this.jsonFile,
      db: this.database,
      lockTimeoutMs: lockTimeout === undefined ? undefined : lockTimeout * 1000,
    })
    try {
      const complete = await tracker.trackInvocation(skill, {
        workflowPath: flags['workflow-path'] ?? null,
        invokedAt,
      })
      await complete({
        completed: !flags.abandoned,
        followUpActions: flags['follow-up'] ?? [],
        errorType: flags['error-type'] ?? null,
      })
    } finally {
      await tracker.close()
    }
    const completed = !flags.abandoned
    if (this.jsonEnabled()) {
      this.printJson({ file: this.jsonFile, skill_name: skill, invoked_at: invokedAt, completed })
    } else {
      this.log(
        `${completed ? 'Completed' : 'Abandoned'} ${skill} (invoked at ${invokedAt}) in ${this.jsonFile}`,
      )
    }
  }
}
