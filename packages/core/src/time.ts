/** The source of "now"; tests pass a fake one. */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

const pad = (value: number, width = 2) => String(value).padStart(width, '0')

/**
 * `datetime.now().isoformat()` for a JavaScript date: naive local time, microseconds printed only
 * when they are not zero. JavaScript clocks stop at milliseconds, so the last three digits are 0.
 */
export function toNaiveLocalIso(date: Date): string {
  const base = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  const micros = date.getMilliseconds() * 1000
  return micros === 0 ? base : `${base}.${pad(micros, 6)}`
}

const NAIVE_ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/

/**
 * Microseconds since the epoch of a naive timestamp read as if it were UTC, or `undefined` when the
 * text is not a naive ISO-8601 timestamp (`YYYY-MM-DDTHH:MM:SS[.ffffff]`) or names no real instant.
 * Differences of these values are what Python's naive datetime subtraction gives.
 */
export function naiveIsoToMicros(text: string): number | undefined {
  const match = NAIVE_ISO.exec(text)
  if (match === null) return undefined
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined
  const millis = Date.UTC(year, month - 1, day, hour, minute, second)
  if (new Date(millis).getUTCDate() !== day) return undefined
  const fraction = (match[7] ?? '').padEnd(6, '0')
  return millis * 1000 + Number(fraction)
}

export function isNaiveIsoTimestamp(text: string): boolean {
  return naiveIsoToMicros(text) !== undefined
}

/** `(later - earlier).total_seconds()` of two naive timestamps, exactly as Python computes it. */
export function naiveSecondsBetween(earlier: string, later: string): number {
  const start = naiveIsoToMicros(earlier)
  const end = naiveIsoToMicros(later)
  if (start === undefined || end === undefined) {
    throw new RangeError(`not naive ISO-8601 timestamps: ${earlier}, ${later}`)
  }
  return (end - start) / 1e6
}

/** The naive local timestamp `seconds` before `date`, as `datetime.now() - timedelta(...)` would. */
export function naiveIsoSecondsBefore(date: Date, seconds: number): string {
  return toNaiveLocalIso(new Date(date.getTime() - Math.round(seconds * 1000)))
}
