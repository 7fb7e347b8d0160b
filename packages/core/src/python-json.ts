import {
  type JsonValue,
  type LegacyInvocation,
  PyFloat,
  type SkillAggregate,
  type SkillMetrics,
} from './legacy.js'

/**
 * Python's `json.dumps(value, indent=2)` with its defaults (`ensure_ascii=True`, `repr` floats):
 * the byte-exact format of the original tracker's file. Node has no such encoder: JSON.stringify
 * neither escapes non-ASCII nor prints `1.0` or `1e-05`, and reorders keys that look like numbers.
 */

const ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
}

// Python escapes everything outside printable ASCII, code unit by code unit, so characters outside
// the BMP come out as their surrogate pair.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must be escaped
const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\uffff]/g

export function pyString(text: string): string {
  return `"${text.replace(NEEDS_ESCAPE, (char) => ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`
}

/** `repr(float)`: shortest round-trip digits, fixed notation for exponents -4..15, else `1e-05`. */
export function pyFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity'
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0'
  const [mantissa, exponentText] = value.toExponential().split('e') as [string, string]
  const exponent = Number(exponentText)
  const negative = mantissa.startsWith('-')
  const digits = mantissa.replace('-', '').replace('.', '')
  const sign = negative ? '-' : ''
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : ''
    const expSign = exponent < 0 ? '-' : '+'
    return `${sign}${digits[0]}${fraction}e${expSign}${String(Math.abs(exponent)).padStart(2, '0')}`
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0')
  const fraction = digits.slice(exponent + 1)
  return `${sign}${whole}.${fraction === '' ? '0' : fraction}`
}

const pyInt = (value: number) => String(value)
const nullable = <T>(value: T | null, encode: (value: T) => string) =>
  value === null ? 'null' : encode(value)

function newline(level: number): string {
  return `\n${'  '.repeat(level)}`
}

/** Encodes any ordered JSON value (used for unknown top-level keys and exported summaries). */
export function pyJson(value: JsonValue | undefined, level = 0): string {
  if (value === null || value === undefined) return 'null'
  if (value === true) return 'true'
  if (value === false) return 'false'
  if (typeof value === 'number') return Number.isInteger(value) ? pyInt(value) : pyFloat(value)
  if (value instanceof PyFloat) return pyFloat(value.value)
  if (typeof value === 'string') return pyString(value)
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    const inner = newline(level + 1)
    return `[${inner}${value.map((item) => pyJson(item, level + 1)).join(`,${inner}`)}${newline(level)}]`
  }
  return pyObject(
    [...value].map(([key, item]) => [key, pyJson(item, level + 1)]),
    level,
  )
}

/** An object from already-encoded values, in the given order. */
export function pyObject(entries: ReadonlyArray<readonly [string, string]>, level: number): string {
  if (entries.length === 0) return '{}'
  const inner = newline(level + 1)
  return `{${inner}${entries.map(([key, encoded]) => `${pyString(key)}: ${encoded}`).join(`,${inner}`)}${newline(level)}}`
}

function pyCounter(counter: ReadonlyMap<string, number>, level: number): string {
  return pyObject(
    [...counter].map(([key, count]) => [key, pyInt(count)]),
    level,
  )
}

/** One invocation record at the depth the legacy file and the export put it (inside a list). */
export function pyInvocation(invocation: LegacyInvocation, level = 2): string {
  const followUps =
    invocation.follow_up_actions.length === 0
      ? '[]'
      : `[${newline(level + 2)}${invocation.follow_up_actions.map(pyString).join(`,${newline(level + 2)}`)}${newline(level + 1)}]`
  return pyObject(
    [
      ['skill_name', pyString(invocation.skill_name)],
      ['invoked_at', pyString(invocation.invoked_at)],
      ['workflow_path', nullable(invocation.workflow_path, pyString)],
      ['completed', invocation.completed ? 'true' : 'false'],
      ['duration_seconds', nullable(invocation.duration_seconds, pyFloat)],
      ['follow_up_actions', followUps],
      ['error_type', nullable(invocation.error_type, pyString)],
    ],
    level,
  )
}

/** A skill record as `SkillMetrics.to_dict()` writes it: the aggregates, then the computed two. */
export function pySkillRecord(
  aggregate: SkillAggregate & Pick<SkillMetrics, 'completion_rate' | 'avg_duration_seconds'>,
  level = 2,
): string {
  return pyObject(
    [
      ['skill_name', pyString(aggregate.skill_name)],
      ['total_invocations', pyInt(aggregate.total_invocations)],
      ['completed_invocations', pyInt(aggregate.completed_invocations)],
      ['abandoned_invocations', pyInt(aggregate.abandoned_invocations)],
      ['total_duration_seconds', pyFloat(aggregate.total_duration_seconds)],
      ['workflow_paths', pyCounter(aggregate.workflow_paths, level + 1)],
      ['common_errors', pyCounter(aggregate.common_errors, level + 1)],
      ['follow_up_actions', pyCounter(aggregate.follow_up_actions, level + 1)],
      ['first_invoked', nullable(aggregate.first_invoked, pyString)],
      ['last_invoked', nullable(aggregate.last_invoked, pyString)],
      ['completion_rate', pyFloat(aggregate.completion_rate)],
      ['avg_duration_seconds', pyFloat(aggregate.avg_duration_seconds)],
    ],
    level,
  )
}
