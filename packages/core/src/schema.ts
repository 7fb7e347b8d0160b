import { z } from 'zod'
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

/** JSON numbers may arrive as `PyFloat` (written with a fraction or exponent) or as plain ints. */
const anyNumber = z
  .union([z.number(), z.instanceof(PyFloat)])
  .transform((value) => (value instanceof PyFloat ? value.value : value))
const float = anyNumber.pipe(z.number().refine(Number.isFinite, 'expected a finite number'))
const count = z.number().int().nonnegative()
const counter = z.map(z.string(), count)
const naiveTimestamp = z.string().refine(isNaiveIsoTimestamp, {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not an ISO-8601 local timestamp (YYYY-MM-DDTHH:MM:SS[.ffffff])`,
})

/** An invocation record as the original loader takes it: defaults for missing fields, no unknown keys. */
export const legacyInvocationSchema = z.strictObject({
  skill_name: z.string(),
  invoked_at: naiveTimestamp,
  workflow_path: z.string().nullable().default(null),
  completed: z.boolean().default(false),
  duration_seconds: float.nullable().default(null),
  follow_up_actions: z.array(z.string()).default([]),
  error_type: z.string().nullable().default(null),
})

/** A skill record: every field but `skill_name` has a default; the computed two are dropped. */
export const skillAggregateSchema = z
  .strictObject({
    skill_name: z.string(),
    total_invocations: count.default(0),
    completed_invocations: count.default(0),
    abandoned_invocations: count.default(0),
    total_duration_seconds: float.default(0),
    workflow_paths: counter.default(() => new Map()),
    common_errors: counter.default(() => new Map()),
    follow_up_actions: counter.default(() => new Map()),
    first_invoked: z.string().nullable().default(null),
    last_invoked: z.string().nullable().default(null),
    completion_rate: float.optional(),
    avg_duration_seconds: float.optional(),
  })
  .transform((record): SkillAggregate => {
    const aggregate = { ...record }
    for (const field of COMPUTED_SKILL_FIELDS) delete aggregate[field]
    return aggregate
  })

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
  schema: z.ZodType<T>,
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
