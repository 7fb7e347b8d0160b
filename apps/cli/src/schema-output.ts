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

/** Flyway's `info` columns: one row per version, what needs a look explained below the table. */
export async function statusText(status: SchemaStatus): Promise<string> {
  const pending = status.versions.filter((version) => version.state === 'pending')
  const optional = pending.filter((version) => version.optional).length
  const heading = [
    `Database    ${status.database}`,
    `Migrations  ${status.migrationsDir}`,
    `Schema at V${status.current} of V${status.latest} (${pending.length} pending${optional === 0 ? '' : `, ${optional} of them optional: the store opens without them`})`,
  ]
  if (status.versions.length === 0) return heading.join('\n')
  // Loaded on use: the table renderer (ink, react) is the heaviest import of the CLI.
  const { makeTable } = await import('@oclif/table')
  const table = makeTable({
    data: status.versions.map((version) => ({
      version: String(version.version),
      description: version.description,
      type: version.kind === 'baseline' ? 'BASELINE' : 'SQL',
      installedOn: version.appliedAt ?? '',
      state: `${STATE_MARK[version.state]}${version.optional ? ' (optional)' : ''}`,
    })),
    columns: [
      { key: 'version', name: 'Version' },
      { key: 'description', name: 'Description' },
      { key: 'type', name: 'Type' },
      { key: 'installedOn', name: 'Installed On' },
      { key: 'state', name: 'State' },
    ],
    borderStyle: 'vertical-with-outline',
    overflow: 'wrap',
  })
  return [...heading, table, ...status.versions.flatMap(detailLines)].join('\n')
}

function detailLines(version: VersionStatus): string[] {
  const name = `V${version.version} ${version.script}`
  if (version.state === 'failed') {
    return [
      `${name} failed at statement ${version.failure?.statement ?? '?'}: ${version.failure?.error ?? ''}`,
    ]
  }
  if (version.state === 'checksum-mismatch') {
    const parts = version.drift!.map((drift) => `${drift.part} part`).join(' and ')
    return [`${name}: ${parts} edited after it was applied`]
  }
  return []
}
