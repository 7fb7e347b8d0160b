import type { CutoverResult, CutoverStep } from '@skill-metrics/migration'
import { checkLines } from './health-output.js'

const STEP_TEXT: Record<CutoverStep, string> = {
  sync: 'syncing the database with the legacy file (writers go on)',
  validate: 'validating every record and skill (writers go on)',
  backup: 'backing the legacy file up with a sha256 manifest',
  freeze: "freeze: holding the writers' lock; syncing and comparing what changed since",
  flip: 'moving phase and epoch to db-primary',
  health: 'checking health',
}

/** A progress line on stderr as each step starts. */
export function cutoverStepLine(step: CutoverStep): string {
  return `… ${STEP_TEXT[step]}`
}

/** What an interrupted cutover had done: the steps it passed, and where the phase may be. */
export function cutoverStopped(steps: CutoverStep[]): string {
  const last = steps.at(-1)
  if (last === undefined) return 'it stopped before its first step; nothing changed'
  const done = steps.slice(0, -1)
  const where =
    last === 'flip' || last === 'health'
      ? 'the phase may have moved to db-primary (skill-metrics status says); a rerun settles it'
      : 'the phase is still dual-read'
  return `it stopped in its ${last} step${done.length > 0 ? ` (done: ${done.join(', ')})` : ''}; ${where}`
}

export function cutoverText(result: CutoverResult): string {
  const lines = [checkLines([...result.checks, ...result.health])]
  if (result.dryRun) {
    lines.push(`Would cut over ${result.from} → db-primary (epoch ${result.epoch}).`)
  } else if (!result.moved) {
    lines.push(`Already db-primary (epoch ${result.epoch}); nothing to do.`)
  } else {
    if (result.backup !== null)
      lines.push(`Backup: ${result.backup.path} (sha256 in ${result.backup.manifest})`)
    lines.push(
      `Freeze: ${result.freeze!.ms} ms (synced ${result.freeze!.inserted} new, ${result.freeze!.updated} changed; compared ${result.freeze!.validated} records${result.freeze!.changesOnly ? ', those changed since the bulk validation' : ', the whole file'})`,
      `db-primary (epoch ${result.epoch}). Writers go to the database only.\nTo go back: skill-metrics rollback\nNext: skill-metrics cleanup (after the retention period)`,
    )
  }
  return lines.join('\n')
}
