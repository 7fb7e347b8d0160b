import { BadInputError, type InputLocation } from './errors.js'
import {
  COMPUTED_SKILL_FIELDS,
  type JsonObject,
  type JsonValue,
  type LegacyInvocation,
  PyFloat,
  type SkillAggregate,
} from './legacy.js'
import { isNaiveIsoTimestamp } from './time.js'
import * as z from './zod.js'

/** JSON numbers may arrive as `PyFloat` (written with a fraction or exponent) or as plain ints. */
const anyNumber = z.pipe(
  z.union([z.number(), z.instanceof(PyFloat)]),
  z.transform((value: number | PyFloat) => (value instanceof PyFloat ? value.value : value)),
)
const float = z.pipe(
  anyNumber,
  z.number().check(z.refine(Number.isFinite, 'expected a finite number')),
)
const count = z.number().check(z.int(), z.nonnegative())
const counter = z.map(z.string(), count)
const naiveTimestamp = z.string().check(
  z.refine(isNaiveIsoTimestamp, {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not an ISO-8601 local timestamp (YYYY-MM-DDTHH:MM:SS[.ffffff])`,
  }),
)
const nullableString = () => z._default(z.nullable(z.string()), null)

/** An invocation record as the original loader takes it: defaults for missing fields, no unknown keys. */
export const legacyInvocationSchema = z.strictObject({
  skill_name: z.string(),
  invoked_at: naiveTimestamp,
  workflow_path: nullableString(),
  completed: z._default(z.boolean(), false),
  duration_seconds: z._default(z.nullable(float), null),
  follow_up_actions: z._default(z.array(z.string()), []),
  error_type: nullableString(),
})

/** A skill record: every field but `skill_name` has a default; the computed two are dropped. */
export const skillAggregateSchema = z.pipe(
  z.strictObject({
    skill_name: z.string(),
    total_invocations: z._default(count, 0),
    completed_invocations: z._default(count, 0),
    abandoned_invocations: z._default(count, 0),
    total_duration_seconds: z._default(float, 0),
    workflow_paths: z._default(counter, () => new Map()),
    common_errors: z._default(counter, () => new Map()),
    follow_up_actions: z._default(counter, () => new Map()),
    first_invoked: nullableString(),
    last_invoked: nullableString(),
    completion_rate: z.optional(float),
    avg_duration_seconds: z.optional(float),
  }),
  z.transform((record): SkillAggregate => {
    const aggregate = { ...record }
    for (const field of COMPUTED_SKILL_FIELDS) delete aggregate[field]
    return aggregate
  }),
)

function describe(value: unknown): string {
  if (value instanceof PyFloat) return String(value.value)
  if (value instanceof Map) return 'an object'
  if (Array.isArray(value)) return 'a list'
  return JSON.stringify(value) ?? String(value)
}

const EXPECTED: Record<string, string> = {
  boolean: 'true or false',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  array: 'a list',
  map: 'an object',
  object: 'an object',
}

function validate<T>(
  schema: z.ZodMiniType<T>,
  value: JsonValue,
  location: Omit<InputLocation, 'field'>,
  recordKind: string,
): T {
  if (!(value instanceof Map)) {
    throw new BadInputError(location, `expected ${recordKind} object, got ${describe(value)}`)
  }
  const result = schema.safeParse(Object.fromEntries(value))
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  const field = issue.path.map(String).join('.')
  const actual = issue.path.reduce<unknown>(
    (node, key) =>
      node instanceof Map ? node.get(key) : (node as Record<PropertyKey, unknown>)?.[key as never],
    value,
  )
  const problem =
    issue.code === 'unrecognized_keys'
      ? `unknown field ${issue.keys.map((key) => JSON.stringify(key)).join(', ')} (the original tracker would reset the whole file on it)`
      : actual === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')
        ? 'required field is missing'
        : issue.code === 'invalid_type'
          ? `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describe(actual)}`
          : issue.code === 'invalid_union'
            ? `expected a number, got ${describe(actual)}`
            : issue.message
  throw new BadInputError({ ...location, field: field === '' ? undefined : field }, problem)
}

/** Validates one element of `invocations`; `index` is its position in the file. */
export function parseLegacyInvocation(
  value: JsonValue,
  file: string,
  index: number,
): LegacyInvocation {
  return validate(
    legacyInvocationSchema,
    value,
    { file, record: `invocations[${index}]` },
    'an invocation',
  )
}

/** Validates one entry of `skills`. */
export function parseSkillAggregate(value: JsonValue, file: string, key: string): SkillAggregate {
  return validate(
    skillAggregateSchema,
    value,
    { file, record: `skills[${JSON.stringify(key)}]` },
    'a skill',
  )
}

/** The top-level shape: an object whose `invocations` is a list and `skills` an object, when present. */
export function checkTopLevel(value: JsonValue, file: string): JsonObject {
  if (!(value instanceof Map)) {
    throw new BadInputError({ file }, `the top level must be a JSON object, got ${describe(value)}`)
  }
  const invocations = value.get('invocations')
  if (invocations !== undefined && !Array.isArray(invocations)) {
    throw new BadInputError(
      { file, field: 'invocations' },
      `expected a list, got ${describe(invocations)}`,
    )
  }
  const skills = value.get('skills')
  if (skills !== undefined && !(skills instanceof Map)) {
    throw new BadInputError(
      { file, field: 'skills' },
      `expected an object, got ${describe(skills)}`,
    )
  }
  return value
}

/**
 * `parseLegacyInvocation` for a record as `JSON.parse` returns it (plain objects, plain numbers).
 * The streaming reader validates every record of the file, and zod measured 2.1–2.5 µs a record
 * (over 2 s of a 1M-record pass, the whole budget), so the common case, a valid record, is
 * checked here by hand: 0.1–0.2 µs. Anything it does not accept goes through zod, so a bad record
 * gets exactly the message `parseLegacyInvocation` gives.
 */
export function parseLegacyInvocationObject(
  value: unknown,
  file: string,
  index: number,
): LegacyInvocation {
  return checkedInvocation(value) ?? parseLegacyInvocation(toOrderedJson(value), file, index)
}

function checkedInvocation(value: unknown): LegacyInvocation | undefined {
  if (
    typeof value !== 'object' ||
    value === null ||
    Object.getPrototypeOf(value) !== Object.prototype
  ) {
    return undefined
  }
  const record = value as Record<string, unknown>
  let skillName: unknown
  let invokedAt: unknown
  let workflowPath: unknown = null
  let completed: unknown = false
  let duration: unknown = null
  let followUps: unknown = []
  let errorType: unknown = null
  for (const key in record) {
    switch (key) {
      case 'skill_name':
        skillName = record[key]
        break
      case 'invoked_at':
        invokedAt = record[key]
        break
      case 'workflow_path':
        workflowPath = record[key]
        break
      case 'completed':
        completed = record[key]
        break
      case 'duration_seconds':
        duration = record[key]
        break
      case 'follow_up_actions':
        followUps = record[key]
        break
      case 'error_type':
        errorType = record[key]
        break
      default:
        return undefined
    }
  }
  if (
    typeof skillName !== 'string' ||
    typeof invokedAt !== 'string' ||
    !isTimestamp(invokedAt) ||
    (workflowPath !== null && typeof workflowPath !== 'string') ||
    typeof completed !== 'boolean' ||
    (duration !== null && !(typeof duration === 'number' && Number.isFinite(duration))) ||
    !Array.isArray(followUps) ||
    (errorType !== null && typeof errorType !== 'string')
  ) {
    return undefined
  }
  for (let item = 0; item < followUps.length; item++) {
    if (typeof followUps[item] !== 'string') return undefined
  }
  return {
    skill_name: skillName,
    invoked_at: invokedAt,
    workflow_path: workflowPath,
    completed,
    duration_seconds: duration,
    follow_up_actions: followUps.slice(),
    error_type: errorType,
  }
}

/**
 * What the ordered parser would have made of a `JSON.parse` result, for zod's messages: objects
 * become Maps (`describe` calls them "an object") and a number too large for a double becomes a
 * PyFloat, since it was almost surely written with an exponent (`1e400`).
 */
function toOrderedJson(value: unknown): JsonValue {
  if (Array.isArray(value)) return value.map(toOrderedJson)
  if (typeof value === 'number' && !Number.isFinite(value)) return new PyFloat(value)
  if (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Map) &&
    !(value instanceof PyFloat)
  ) {
    return new Map(Object.entries(value).map(([key, item]) => [key, toOrderedJson(item)]))
  }
  return value as JsonValue
}

const validDates = new Map<number, boolean>()

/**
 * `isNaiveIsoTimestamp`, answered from the characters and a cache of the dates it already judged:
 * its regex match, `Date` and array of parts took 0.5 µs, most of a record's check. A valid time
 * of day never moves the date, so a date is judged once, at midnight; any other shape is left to
 * `isNaiveIsoTimestamp` itself.
 */
function isTimestamp(text: string): boolean {
  const length = text.length
  if (
    (length !== 19 && (length < 21 || length > 26 || text.charCodeAt(19) !== 46)) ||
    text.charCodeAt(4) !== 45 ||
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 ||
    text.charCodeAt(13) !== 58 ||
    text.charCodeAt(16) !== 58
  ) {
    return isNaiveIsoTimestamp(text)
  }
  const digit = (at: number) => {
    const code = text.charCodeAt(at) - 48
    return code >= 0 && code <= 9 ? code : Number.NaN
  }
  for (let at = 20; at < length; at++) if (Number.isNaN(digit(at))) return false
  const hour = digit(11) * 10 + digit(12)
  const minute = digit(14) * 10 + digit(15)
  const second = digit(17) * 10 + digit(18)
  const date =
    digit(0) * 1e7 +
    digit(1) * 1e6 +
    digit(2) * 1e5 +
    digit(3) * 1e4 +
    digit(5) * 1e3 +
    digit(6) * 100 +
    digit(8) * 10 +
    digit(9)
  if (!(hour <= 23 && minute <= 59 && second <= 59) || Number.isNaN(date)) {
    return isNaiveIsoTimestamp(text)
  }
  let valid = validDates.get(date)
  if (valid === undefined) {
    valid = isNaiveIsoTimestamp(`${text.slice(0, 10)}T00:00:00`)
    if (validDates.size >= 4096) validDates.clear()
    validDates.set(date, valid)
  }
  return valid
}
