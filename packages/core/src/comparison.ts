import {
  INVOCATION_FIELDS,
  type LegacyInvocation,
  SKILL_FIELDS,
  type SkillAggregate,
} from './legacy.js'

/** One field on which the legacy file's value and the database's differ. */
export interface FieldDiff {
  field: string
  json: unknown
  db: unknown
}

/**
 * Floats within this relative distance are equal: a sum of durations taken in another order (the
 * database adds one completion at a time, the file was summed by Python) differs in the last bits.
 */
const RELATIVE_TOLERANCE = 1e-9

/** Aggregate fields that must be equal exactly. */
const EXACT_AGGREGATE_FIELDS = [
  'skill_name',
  'total_invocations',
  'completed_invocations',
  'abandoned_invocations',
  'first_invoked',
  'last_invoked',
] as const satisfies ReadonlyArray<(typeof SKILL_FIELDS)[number]>

/** Aggregate fields that are sums of floats, equal within `RELATIVE_TOLERANCE`. */
const DURATION_SUM_FIELDS = ['total_duration_seconds'] as const satisfies ReadonlyArray<
  (typeof SKILL_FIELDS)[number]
>

/** Counter maps: the same keys with the same counts in the same order (the order is the file's). */
const COUNTER_FIELDS = [
  'workflow_paths',
  'common_errors',
  'follow_up_actions',
] as const satisfies ReadonlyArray<(typeof SKILL_FIELDS)[number]>

type AggregateField = (typeof SKILL_FIELDS)[number]
type InvocationField = (typeof INVOCATION_FIELDS)[number]

function sameFloat(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b))
}

function sameInvocationField(
  field: InvocationField,
  a: LegacyInvocation,
  b: LegacyInvocation,
): boolean {
  if (field !== 'follow_up_actions') return a[field] === b[field]
  const left = a.follow_up_actions
  const right = b.follow_up_actions
  return left.length === right.length && left.every((action, index) => action === right[index])
}

/** Whether two invocations hold exactly the same legacy values (identity and order aside). */
export function sameInvocation(a: LegacyInvocation, b: LegacyInvocation): boolean {
  return INVOCATION_FIELDS.every((field) => sameInvocationField(field, a, b))
}

/** The legacy fields on which two invocations differ, in the record's field order. */
export function invocationDiffs(json: LegacyInvocation, db: LegacyInvocation): FieldDiff[] {
  return INVOCATION_FIELDS.filter((field) => !sameInvocationField(field, json, db)).map(
    (field) => ({ field, json: json[field], db: db[field] }),
  )
}

function sameCounter(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false
  const right = [...b]
  return [...a].every(
    ([key, count], index) => right[index]![0] === key && right[index]![1] === count,
  )
}

const isAggregateField = (field: string): field is AggregateField =>
  (SKILL_FIELDS as readonly string[]).includes(field)

function sameAggregateValue(field: AggregateField, a: unknown, b: unknown): boolean {
  if ((COUNTER_FIELDS as readonly string[]).includes(field)) {
    return sameCounter(a as ReadonlyMap<string, number>, b as ReadonlyMap<string, number>)
  }
  if ((DURATION_SUM_FIELDS as readonly string[]).includes(field)) {
    return sameFloat(a as number, b as number)
  }
  return a === b
}

/**
 * The aggregate fields on which a skill differs: exact fields first, then the duration sums, then
 * the counters (shown as objects), the order `data validate` prints them in.
 */
export function aggregateDiffs(json: SkillAggregate, db: SkillAggregate): FieldDiff[] {
  return [...EXACT_AGGREGATE_FIELDS, ...DURATION_SUM_FIELDS, ...COUNTER_FIELDS]
    .filter((field) => !sameAggregateValue(field, json[field], db[field]))
    .map((field) => ({ field, json: plainValue(json[field]), db: plainValue(db[field]) }))
}

type Entries = Record<string, unknown>

const isEntries = (value: unknown): value is Entries =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Map)

/**
 * Equal as answers of a tracker: maps and lists in order, objects by key whatever their order,
 * numbers within the tolerance (rates, averages and percentiles are derived from float sums).
 */
export function sameAnswer(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return sameFloat(a, b)
  if (a instanceof Map && b instanceof Map) return sameAnswer([...a], [...b])
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, index) => sameAnswer(item, b[index]))
  if (isEntries(a) && isEntries(b))
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].every((key) =>
      sameAnswer(a[key], b[key]),
    )
  return a === b
}

/** A value as JSON can hold it: maps become objects. */
export function plainValue(value: unknown): unknown {
  if (value instanceof Map)
    return Object.fromEntries([...value].map(([key, item]) => [key, plainValue(item)]))
  if (Array.isArray(value)) return value.map(plainValue)
  if (isEntries(value))
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plainValue(item)]))
  return value
}

/**
 * The fields on which two answers (a skill's metrics, a summary) differ, named `prefix` + key. A
 * skill's aggregate fields follow the aggregate rules, so the validator and dual-read agree on
 * them; the fields derived from them compare as answers.
 */
export function answerDiffs(json: object, db: object, prefix = ''): FieldDiff[] {
  const a = json as Entries
  const b = db as Entries
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((key) =>
      isAggregateField(key)
        ? !sameAggregateValue(key, a[key], b[key])
        : !sameAnswer(a[key], b[key]),
    )
    .map((field) => ({
      field: `${prefix}${field}`,
      json: plainValue(a[field]),
      db: plainValue(b[field]),
    }))
}
