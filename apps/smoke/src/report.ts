import type { DiskFullReport } from './disk-full.js'
import type { Violation } from './invariants.js'
import type { Options } from './options.js'

export interface StepReport {
  step: string
  seconds: number
  json: number | null
  db: number | null
  mismatches: number
  /** The longest a writer was held during the step (see `Writers.takeLongestWriteMs`). */
  longestWriteSeconds: number | null
  /** For a cutover: how long its freeze held the writers' lock. */
  freezeSeconds?: number
  /** With `--foreign-writer`: its saves so far, once the step's invariants were checked. */
  foreignSaves?: number
  /**
   * With `--python-writers`: the tags whose Python completer returned that the source of truth
   * lacked once the step's invariants were checked (waiting in the journal, or erased by a
   * foreign save), none allowed from `journal apply` on.
   */
  pythonWaiting?: number
  result: string
}

export interface SmokeReport {
  ok: boolean
  options: Omit<Options, 'json'>
  seconds: number
  steps: StepReport[]
  violations: Array<Violation & { step: string }>
  /** With `--disk-full`: the tmpfs, the full period and the writes it refused. */
  diskFull?: DiskFullReport
  /** With `--foreign-writer`: its saves, and how long the run held it paused. */
  foreignWriter?: { saves: number; pausedSeconds: number }
}

/** The report as JSON, or as a table of steps, the violations and a last line that starts "ok:". */
export async function printReport(report: SmokeReport, json: boolean): Promise<void> {
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
    return
  }
  process.stdout.write(`${await stepsTable(report.steps)}\n`)
  for (const violation of report.violations)
    process.stdout.write(
      `VIOLATION after ${violation.step}: ${violation.invariant}: ${violation.detail}\n`,
    )
  process.stdout.write(`${summaryLine(report)}\n`)
}

async function stepsTable(steps: StepReport[]): Promise<string> {
  // Imported when needed: `--json` runs never load the table's dependencies.
  const { makeTable } = await import('@oclif/table')
  const foreign = steps.some((step) => step.foreignSaves !== undefined)
  const python = steps.some((step) => step.pythonWaiting !== undefined)
  return makeTable({
    data: steps.map((step) => ({
      ...step,
      seconds: step.seconds.toFixed(1),
      json: step.json ?? '-',
      db: step.db ?? '-',
      longestWrite: step.longestWriteSeconds?.toFixed(1) ?? '-',
      foreignSaves: step.foreignSaves ?? '-',
      pythonWaiting: step.pythonWaiting ?? '-',
      freeze: step.freezeSeconds?.toFixed(2) ?? '-',
    })),
    columns: [
      { key: 'step', name: 'Step' },
      { key: 'seconds', name: 'Seconds' },
      { key: 'json', name: 'JSON invocations' },
      { key: 'db', name: 'DB invocations' },
      { key: 'mismatches', name: 'Mismatches' },
      { key: 'longestWrite', name: 'Longest write (s)' },
      { key: 'freeze', name: 'Freeze (s)' },
      ...(foreign ? [{ key: 'foreignSaves' as const, name: 'Foreign saves' }] : []),
      ...(python ? [{ key: 'pythonWaiting' as const, name: 'Python waiting' }] : []),
      { key: 'result', name: 'Result' },
    ],
    overflow: 'wrap',
  })
}

function summaryLine({ ok, options, diskFull, foreignWriter, seconds }: SmokeReport): string {
  const fault =
    diskFull === undefined
      ? ''
      : diskFull.skipped !== undefined
        ? `, disk-full skipped (${diskFull.skipped})`
        : diskFull.fullSeconds === undefined
          ? ', disk-full (not reached)'
          : `, disk-full (${diskFull.refused} writes refused with exit 4)`
  const foreign =
    foreignWriter === undefined
      ? ''
      : `, a foreign writer (${foreignWriter.saves} saves, paused ${foreignWriter.pausedSeconds.toFixed(1)} s)`
  return `${ok ? 'ok' : 'FAILED'}: ${options.dialect}, ${options.invocations} invocations, ${options.writers} writers${options['python-writers'] > 0 ? ` (${options['python-writers']} Python)` : ''}${options.chaos ? ', chaos' : ''}${fault}${foreign}, ${seconds.toFixed(1)} s`
}
