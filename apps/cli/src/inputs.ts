import { type JournalEntry, journalEntrySchema, UsageError } from '@skill-metrics/core'
import * as z from '@skill-metrics/core/zod'

const durationSchema = z.coerce.number().check(z.refine(Number.isFinite), z.nonnegative())
const retentionDaysSchema = z.coerce.number().check(z.int(), z.nonnegative())
/** Above a few minutes a dead host only looks alive for longer; 0 would mean "wait for ever" to pg. */
const connectTimeoutSchema = z.coerce
  .number()
  .check(z.refine(Number.isFinite), z.positive(), z.lte(600))

/** `--duration`: seconds the invocation ran, a finite number ≥ 0. */
export function parseDuration(text: string | undefined): number {
  if (text === undefined) return 0
  return parseNumber(durationSchema, text, '--duration must be a finite number of seconds ≥ 0')
}

/** `--retention-days`: whole days, ≥ 0; undefined when not given (the default applies). */
export function parseRetentionDays(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  return parseNumber(retentionDaysSchema, text, '--retention-days must be a whole number ≥ 0')
}

/** `--connect-timeout` / `SKILL_METRICS_CONNECT_TIMEOUT`: seconds, as milliseconds; undefined when not given. */
export function parseConnectTimeoutMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const refusal =
    '--connect-timeout (SKILL_METRICS_CONNECT_TIMEOUT) must be seconds, more than 0 and at most 600'
  return parseNumber(connectTimeoutSchema, text, refusal) * 1000
}

function parseNumber(
  schema: z.ZodMiniType<number, unknown>,
  text: string,
  refusal: string,
): number {
  // Coercion would read a blank flag as 0.
  const result = schema.safeParse(text.trim() === '' ? Number.NaN : text)
  if (result.success) return result.data
  throw new UsageError(`${refusal}, got ${JSON.stringify(text)}`)
}

/** A `--…-timeout` flag in seconds as the milliseconds the services take; undefined when not given. */
export function millisecondsOf(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : seconds * 1000
}

/**
 * `journal apply --entry`: one journal line as the Python client wrote it, checked as strictly as
 * a line read from the journal.
 */
export function parseJournalEntry(text: string, source = '--entry'): JournalEntry {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`${source} must be one journal entry as JSON: ${(error as Error).message}`)
  }
  const parsed = journalEntrySchema.safeParse(value)
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues
    .map((issue) => `${issue.path.join('.') || 'entry'}: ${issue.message}`)
    .join('; ')
  throw new UsageError(`${source} is not a journal entry: ${problems}`)
}
