import { UsageError } from '@skill-metrics/core'
import { z } from 'zod'

const durationSchema = z.coerce.number().refine(Number.isFinite).nonnegative()
const retentionDaysSchema = z.coerce.number().int().nonnegative()

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

function parseNumber(schema: z.ZodType<number>, text: string, refusal: string): number {
  // Coercion would read a blank flag as 0.
  const result = schema.safeParse(text.trim() === '' ? Number.NaN : text)
  if (result.success) return result.data
  throw new UsageError(`${refusal}, got ${JSON.stringify(text)}`)
}

/** A `--…-timeout` flag in seconds as the milliseconds the services take; undefined when not given. */
export function millisecondsOf(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : seconds * 1000
}
