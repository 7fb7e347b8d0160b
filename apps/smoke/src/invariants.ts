import type { Aggregate, Invocation, StoreContent } from './stores.js'

/** A broken invariant of ARCHITECTURE §6, named so a reader can go and look. */
export interface Violation {
  invariant: string
  detail: string
}

const sameFloat = (a: number, b: number) =>
  a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b), 1)

/**
 * No lost invocation (§6.1): every invocation whose writes returned to its writer is in the
 * source of truth, completed (its completion returned too), and once only (a second copy is a
 * double count, §6.2). With `lost: false` only double counts are looked for: where a writer the
 * tool does not control may have erased invocations that the next `data migrate` puts back.
 */
export function lostOrDoubled(
  returned: readonly string[],
  truth: StoreContent,
  where: string,
  {
    lost = true,
    returnedTo = 'returned to its writer',
  }: { lost?: boolean; returnedTo?: string } = {},
): Violation[] {
  const seen = new Map<string, { count: number; pending: boolean }>()
  for (const invocation of truth.invocations) {
    const tag = invocation.workflow_path
    if (tag === null) continue
    const copies = seen.get(tag) ?? { count: 0, pending: false }
    copies.count += 1
    copies.pending ||= invocation.duration_seconds === null
    seen.set(tag, copies)
  }
  const violations: Violation[] = []
  for (const tag of returned) {
    const copies = seen.get(tag)
    if (copies === undefined) {
      if (lost)
        violations.push({
          invariant: 'no lost invocation',
          detail: `${tag} ${returnedTo} but is not in ${where}`,
        })
    } else if (copies.count > 1)
      violations.push({
        invariant: 'no double count',
        detail: `${tag} is in ${where} ${copies.count} times`,
      })
    else if (lost && copies.pending)
      violations.push({
        invariant: 'no lost completion',
        detail: `${tag} ${returnedTo} completed but is pending in ${where}`,
      })
  }
  return violations
}

/** Counts and counters of each skill, recomputed from the records alone (legacy rules). */
export function aggregatesOf(invocations: readonly Invocation[]): Map<string, Aggregate> {
  const skills = new Map<string, Aggregate>()
  for (const invocation of invocations) {
    // A record whose completer never ran (no duration) is pending: not counted yet.
    if (invocation.duration_seconds === null) continue
    let aggregate = skills.get(invocation.skill_name)
    if (aggregate === undefined) {
      aggregate = {
        total_invocations: 0,
        completed_invocations: 0,
        abandoned_invocations: 0,
        total_duration_seconds: 0,
        workflow_paths: {},
        common_errors: {},
        follow_up_actions: {},
      }
      skills.set(invocation.skill_name, aggregate)
    }
    aggregate.total_invocations += 1
    if (invocation.completed) {
      aggregate.completed_invocations += 1
      aggregate.total_duration_seconds += invocation.duration_seconds
    } else aggregate.abandoned_invocations += 1
    const bump = (counter: Record<string, number>, key: string) => {
      counter[key] = (counter[key] ?? 0) + 1
    }
    if (invocation.workflow_path) bump(aggregate.workflow_paths, invocation.workflow_path)
    if (invocation.error_type) bump(aggregate.common_errors, invocation.error_type)
    for (const action of invocation.follow_up_actions) bump(aggregate.follow_up_actions, action)
  }
  return skills
}

const counterDiff = (a: Record<string, number>, b: Record<string, number>) => {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  return [...keys].filter((key) => (a[key] ?? 0) !== (b[key] ?? 0))
}

/**
 * A store's aggregates equal those recomputed from its own records (§6.2): counts and counters
 * exactly, durations within a relative 1e-9. The generated history is consistent, so this holds
 * for every store at every moment a write is atomic.
 */
export function aggregatesMatchRecords(content: StoreContent, where: string): Violation[] {
  const recomputed = aggregatesOf(content.invocations)
  const violations: Violation[] = []
  const names = new Set([...recomputed.keys(), ...content.skills.keys()])
  for (const name of names) {
    const stored = content.skills.get(name)
    const expected = recomputed.get(name)
    if (stored === undefined || expected === undefined) {
      // A skill with no completed record yet has no aggregate in the legacy rules either way.
      if ((stored?.total_invocations ?? 0) === 0 && expected === undefined) continue
      violations.push({
        invariant: 'aggregates equal the records',
        detail: `skill ${name} in ${where}: ${stored === undefined ? 'no aggregate' : 'an aggregate with no record'}`,
      })
      continue
    }
    const fields: string[] = []
    for (const field of [
      'total_invocations',
      'completed_invocations',
      'abandoned_invocations',
    ] as const)
      if (stored[field] !== expected[field])
        fields.push(`${field} ${stored[field]} ≠ ${expected[field]} recomputed`)
    if (!sameFloat(stored.total_duration_seconds, expected.total_duration_seconds))
      fields.push(
        `total_duration_seconds ${stored.total_duration_seconds} ≠ ${expected.total_duration_seconds}`,
      )
    for (const field of ['workflow_paths', 'common_errors', 'follow_up_actions'] as const) {
      const keys = counterDiff(stored[field], expected[field])
      if (keys.length > 0) fields.push(`${field}[${keys.slice(0, 3).join(', ')}]`)
    }
    if (fields.length > 0)
      violations.push({
        invariant: 'aggregates equal the records',
        detail: `skill ${name} in ${where}: ${fields.join('; ')}`,
      })
  }
  return violations
}

const identity = (invocation: Invocation) =>
  JSON.stringify([invocation.skill_name, invocation.invoked_at, invocation.workflow_path])

/**
 * Both stores hold the same invocations, record for record (what a clean validation or a
 * cutover promises): the first one missing on either side is named with its position.
 */
export function sameInvocations(
  file: StoreContent,
  database: StoreContent,
  /** Only the file's first records (the history no writer touches), with no check of extras. */
  only?: number,
): Violation[] {
  const counts = new Map<string, number>()
  for (const invocation of database.invocations)
    counts.set(identity(invocation), (counts.get(identity(invocation)) ?? 0) + 1)
  const violations: Violation[] = []
  file.invocations.slice(0, only).forEach((invocation, index) => {
    const key = identity(invocation)
    const left = counts.get(key) ?? 0
    if (left === 0) {
      violations.push({
        invariant: 'the database holds every invocation of the file',
        detail: `invocation ${index} of the file (${invocation.skill_name} at ${invocation.invoked_at}, path ${JSON.stringify(invocation.workflow_path)}) is missing from the database`,
      })
    } else counts.set(key, left - 1)
  })
  const extra = [...counts.values()].reduce((sum, left) => sum + left, 0)
  if (only === undefined && extra > 0)
    violations.push({
      invariant: 'the database holds every invocation of the file',
      detail: `the database holds ${extra} invocation(s) the file does not`,
    })
  return violations.slice(0, 5)
}

/** A write its writer saw refused with exit 4, with when it ran (ms since the epoch). */
export interface Refusal {
  tag: string
  startedAt: number
  endedAt: number
  /** What the writer saw: the command or call, the exit code and the tool's message. */
  detail: string
}

/** When the disk was full: from the filler's first byte to its removal (`to` unset meanwhile). */
export interface FullPeriod {
  from: number
  to?: number
}

/**
 * Under `--disk-full` a write refused with exit 4 while the disk was full (its run overlapped the
 * period) is the tool's answer, not a violation, and must name the cause ("no space left"). Any
 * other refusal is an error of its writer, as in every run.
 */
export function judgeRefusals(
  refusals: readonly Refusal[],
  full: FullPeriod | undefined,
): { during: Refusal[]; violations: Violation[] } {
  const during: Refusal[] = []
  const violations: Violation[] = []
  for (const refusal of refusals) {
    const overlaps =
      full !== undefined &&
      refusal.endedAt >= full.from &&
      (full.to === undefined || refusal.startedAt <= full.to)
    if (!overlaps) violations.push({ invariant: 'no writer gets an error', detail: refusal.detail })
    else {
      during.push(refusal)
      if (!/no space left/.test(refusal.detail))
        violations.push({
          invariant: 'a full disk refuses with "no space left"',
          detail: refusal.detail,
        })
    }
  }
  return { during, violations }
}
