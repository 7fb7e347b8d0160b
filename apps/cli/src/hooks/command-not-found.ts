import { type Hook, toConfiguredId } from '@oclif/core'
import { ExitCode } from '@skill-metrics/core'
import { closest } from 'fastest-levenshtein'

/**
 * A mistyped command names the closest one. @oclif/plugin-not-found only names it in a prompt on
 * a terminal (and wants a newer @oclif/core); here a script or a log sees the suggestion too, and
 * the exit code is the usage one.
 */
const hook: Hook.CommandNotFound = async function ({ id, config }) {
  const visible = config.commands.filter((command) => !command.hidden).map((command) => command.id)
  const typed = toConfiguredId(id, config)
  const suggestion = toConfiguredId(closest(id, visible), config)
  this.error(
    `${typed} is not a ${config.bin} command. Did you mean ${suggestion}? Run ${config.bin} --help for the list, ${config.bin} runbook for the migration's steps.`,
    { exit: ExitCode.usage },
  )
}

export default hook
