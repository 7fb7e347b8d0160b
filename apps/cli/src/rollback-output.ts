import type { RollbackResult } from '@skill-metrics/migration'
import { importedLines } from './foreign-output.js'
import { checkLines } from './health-output.js'

export function rollbackText(result: RollbackResult, jsonFile: string): string {
  if (!result.moved) return `Already ${result.to} (epoch ${result.epoch}); nothing to do.`
  const lines = result.checks.length > 0 ? [checkLines(result.checks)] : []
  const { regenerated } = result
  lines.push(...importedLines(result.imported, jsonFile, result.dryRun))
  if (result.notImported.length > 0)
    lines.push(
      `${result.notImported.length} record(s) of ${jsonFile} the legacy schema rejects were not imported; they stay in the previous file kept as a backup: ${result.notImported
        .slice(0, 3)
        .map((record) => record.message)
        .join('; ')}`,
    )
  if (result.dryRun) {
    lines.push(
      regenerated === null
        ? `Would move ${result.from} → ${result.to} (epoch ${result.epoch}); the legacy file already holds everything.`
        : `Would regenerate ${jsonFile} from the database (${regenerated.invocations} invocations, ${regenerated.skills} skills), then move ${result.from} → ${result.to} (epoch ${result.epoch}).`,
    )
    return lines.join('\n')
  }
  if (regenerated !== null) {
    lines.push(
      `Regenerated ${jsonFile} from the database: ${regenerated.invocations} invocations, ${regenerated.skills} skills, ${regenerated.bytes} bytes.`,
    )
    if (result.backup !== null)
      lines.push(`The previous file: ${result.backup.path} (sha256 in ${result.backup.manifest})`)
  }
  lines.push(
    `${result.to} (epoch ${result.epoch}). The legacy file is the source of truth.${result.to === 'dual-write' ? '\nNext: skill-metrics data migrate' : ''}`,
  )
  return lines.join('\n')
}

/** What an interrupted rollback leaves: it has no steps to count, but an order that keeps it safe. */
export const ROLLBACK_STOPPED =
  'the legacy file is regenerated whole or not at all, and the phase moves only after it: the database stays the source of truth until then (skill-metrics status says where it is)'
