import type { SchemaStatus, StepResult, VersionStatus } from '@skill-metrics/migration'

export function stepLine(verb: string, step: StepResult): string {
  const label = `${verb} V${step.version} ${step.description} `
  const statements = `${step.statements.length} statement${step.statements.length === 1 ? '' : 's'}`
  return `${label.padEnd(44, '.')} ${statements.padStart(14)}  ${step.timeMs.toFixed(0)} ms`
}

export function planText(verb: string, steps: StepResult[]): string {
  if (steps.length === 0) return `Nothing to ${verb.toLowerCase()}.`
  return steps
    .map(
      (step) =>
        `-- ${verb} V${step.version} ${step.description} (${step.script})${step.transactional ? '' : ' [no transaction]'}\n${step.statements.map((statement) => `${statement};`).join('\n')}`,
    )
    .join('\n\n')
}

const STATE_MARK: Record<VersionStatus['state'], string> = {
  applied: 'applied',
  pending: 'pending',
  failed: 'FAILED',
  'checksum-mismatch': 'CHECKSUM MISMATCH',
  'missing-file': 'MISSING FILE',
  'out-of-order': 'OUT OF ORDER',
}

export function statusText(status: SchemaStatus): string {
  const pending = status.versions.filter((version) => version.state === 'pending').length
  const lines = status.versions.map((version) => {
    const detail =
      version.state === 'failed'
        ? ` at statement ${version.failure?.statement ?? '?'}: ${version.failure?.error ?? ''}`
        : version.state === 'checksum-mismatch'
          ? ` (${version.drift!.map((drift) => `${drift.part} part`).join(' and ')} edited after it was applied)`
          : version.appliedAt === undefined
            ? ''
            : ` ${version.appliedAt}${version.kind === 'baseline' ? ' (baseline)' : ''}`
    return `  V${String(version.version).padEnd(4)} ${STATE_MARK[version.state].padEnd(18)} ${version.script}${detail}`
  })
  return [
    `Database    ${status.database}`,
    `Migrations  ${status.migrationsDir}`,
    `Schema at V${status.current} of V${status.latest} (${pending} pending)`,
    ...lines,
  ].join('\n')
}
