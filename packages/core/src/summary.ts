import { averageDuration, completionRate } from './aggregates.js'
import type { SkillAggregate } from './legacy.js'

/** The legacy `get_summary()`; with no skills it has exactly the five keys the original returns. */
export type Summary =
  | {
      total_skills: 0
      total_invocations: 0
      overall_completion_rate: number
      most_used_skill: null
      avg_duration_seconds: number
    }
  | {
      total_skills: number
      total_invocations: number
      overall_completion_rate: number
      most_used_skill: string
      most_used_count: number
      avg_duration_seconds: number
      skills_by_usage: Array<[string, number]>
    }

export function summarize(skills: ReadonlyMap<string, SkillAggregate>): Summary {
  if (skills.size === 0) {
    return {
      total_skills: 0,
      total_invocations: 0,
      overall_completion_rate: 0,
      most_used_skill: null,
      avg_duration_seconds: 0,
    }
  }
  let totalInvocations = 0
  let totalCompleted = 0
  let totalDuration = 0
  let mostUsed: [string, number] | undefined
  for (const [name, aggregate] of skills) {
    totalInvocations += aggregate.total_invocations
    totalCompleted += aggregate.completed_invocations
    totalDuration += aggregate.total_duration_seconds
    // Python's max() keeps the first of equal keys: ties go to the skill that appears first.
    if (mostUsed === undefined || aggregate.total_invocations > mostUsed[1]) {
      mostUsed = [name, aggregate.total_invocations]
    }
  }
  const [mostUsedSkill, mostUsedCount] = mostUsed!
  return {
    total_skills: skills.size,
    total_invocations: totalInvocations,
    overall_completion_rate: totalInvocations > 0 ? (totalCompleted / totalInvocations) * 100 : 0,
    most_used_skill: mostUsedSkill,
    most_used_count: mostUsedCount,
    avg_duration_seconds: totalCompleted > 0 ? totalDuration / totalCompleted : 0,
    skills_by_usage: skillsByUsage(skills),
  }
}

/** [name, total] by total descending; the sort is stable, so ties keep the map's order. */
function skillsByUsage(skills: ReadonlyMap<string, SkillAggregate>): Array<[string, number]> {
  return [...skills]
    .map(([name, aggregate]): [string, number] => [name, aggregate.total_invocations])
    .sort((a, b) => b[1] - a[1])
}

const byCountDescending = (counter: Iterable<[string, number]>) =>
  [...counter].sort((a, b) => b[1] - a[1])

const RULE = '='.repeat(60)

/** The original's `generate_report()`, character for character. */
export function renderReport(skills: ReadonlyMap<string, SkillAggregate>): string {
  const summary = summarize(skills)
  const usage = 'skills_by_usage' in summary ? summary.skills_by_usage : []
  const lines = [
    RULE,
    'Skill Metrics Report',
    RULE,
    '',
    `Total Skills Tracked: ${summary.total_skills}`,
    `Total Invocations: ${summary.total_invocations}`,
    `Overall Completion Rate: ${formatFixed1(summary.overall_completion_rate)}%`,
    `Average Duration: ${formatFixed1(summary.avg_duration_seconds)}s`,
    '',
    'Most Used Skills:',
  ]
  for (const [name, count] of usage.slice(0, 5)) {
    const aggregate = skills.get(name)!
    lines.push(
      `  ${name}: ${count} invocations (${formatFixed1(completionRate(aggregate))}% complete, ${formatFixed1(averageDuration(aggregate))}s avg)`,
    )
  }
  lines.push('', 'Workflow Path Preferences:')
  for (const [name] of usage.slice(0, 3)) {
    const aggregate = skills.get(name)!
    if (aggregate.workflow_paths.size === 0) continue
    lines.push(`  ${name}:`)
    for (const [path, count] of byCountDescending(aggregate.workflow_paths)) {
      lines.push(`    ${path}: ${count} uses`)
    }
  }
  lines.push('', 'Common Follow-up Actions:')
  const allActions = new Map<string, number>()
  for (const aggregate of skills.values()) {
    for (const [action, count] of aggregate.follow_up_actions) {
      allActions.set(action, (allActions.get(action) ?? 0) + count)
    }
  }
  for (const [action, count] of byCountDescending(allActions).slice(0, 5)) {
    lines.push(`  ${action}: ${count}`)
  }
  lines.push('', RULE)
  return lines.join('\n')
}

/**
 * Python's `format(x, '.1f')`: rounds the exact binary value half to even, so 12.25 gives 12.2
 * where `toFixed(1)` gives 12.3. `toPrecision` exposes enough exact digits to decide the tie.
 */
export function formatFixed1(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : value < 0 ? '-inf' : 'nan'
  const negative = value < 0 || Object.is(value, -0)
  const exact = exactDecimal(Math.abs(value))
  const [whole, fraction = ''] = exact.split('.')
  const digits = `${whole}${fraction.padEnd(1, '0').slice(0, 1)}`
  const rest = fraction.slice(1)
  let scaled = BigInt(digits)
  const firstRest = rest.charCodeAt(0) - 48
  const tail = rest.slice(1)
  if (firstRest > 5 || (firstRest === 5 && /[1-9]/.test(tail))) scaled += 1n
  else if (firstRest === 5 && scaled % 2n === 1n) scaled += 1n
  const text = scaled.toString().padStart(2, '0')
  return `${negative ? '-' : ''}${text.slice(0, -1)}.${text.slice(-1)}`
}

/** The exact decimal expansion of a non-negative double (every double is a finite binary fraction). */
function exactDecimal(value: number): string {
  if (Number.isInteger(value)) return BigInt(value).toString()
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, value)
  const bits = view.getBigUint64(0)
  const exponentBits = Number((bits >> 52n) & 0x7ffn)
  const mantissa = (bits & 0xfffffffffffffn) | (exponentBits === 0 ? 0n : 1n << 52n)
  const exponent = exponentBits === 0 ? -1074 : exponentBits - 1075
  // value = mantissa * 2^exponent with exponent < 0 here; scale to mantissa * 5^-e / 10^-e.
  const scale = -exponent
  const numerator = mantissa * 5n ** BigInt(scale)
  const text = numerator.toString().padStart(scale + 1, '0')
  return `${text.slice(0, -scale)}.${text.slice(-scale)}`
}
