import { Args } from '@oclif/core'
import { naiveIsoSecondsBefore } from '@skill-metrics/core'
import { recordInvocation } from '@skill-metrics/migration/start'
import { BaseCommand } from '../base-command.js'
import { trackFlags } from '../flags.js'
import { millisecondsOf, parseDuration } from '../inputs.js'
import { missedWarning, trackText } from '../track-output.js'

export default class Track extends BaseCommand<typeof Track> {
  static override summary = 'Record one invocation of a skill, started --duration seconds ago.'
  static override examples = [
    '<%= config.bin %> <%= command.id %> code-review --workflow-path quick --duration 12.5',
    '<%= config.bin %> <%= command.id %> pytest-runner --abandoned --error-type TimeoutError --follow-up rerun',
  ]

  static override args = {
    skill: Args.string({ description: 'The skill that ran.', required: true }),
  }

  static override flags = trackFlags

  async run(): Promise<void> {
    const { skill } = this.args
    const { flags } = this
    const duration = parseDuration(flags.duration)
    const invokedAt = naiveIsoSecondsBefore(new Date(), duration)
    const completed = !flags.abandoned
    const lockTimeoutMs = millisecondsOf(flags['lock-timeout'])
    const written = await recordInvocation(
      { jsonFile: this.jsonFile, db: this.database, lockTimeoutMs },
      skill,
      { workflowPath: flags['workflow-path'] ?? null, invokedAt },
      {
        completed,
        followUpActions: flags['follow-up'] ?? [],
        errorType: flags['error-type'] ?? null,
        // The duration given, not the time since `invokedAt`: start-up and a wait for the lock
        // are not the skill's.
        durationSeconds: duration,
      },
    )
    if (written.missed !== null) this.logToStderr(missedWarning(written.missed))
    const tracked = {
      skill_name: skill,
      invoked_at: invokedAt,
      duration_seconds: duration,
      completed,
      ...written,
    }
    if (this.jsonEnabled()) this.printJson(tracked)
    else this.log(trackText(tracked))
  }
}
