import { UsageError } from '@skill-metrics/core'
import { z } from 'zod'

const durationSchema = z.coerce.number().refine(Number.isFinite).nonnegative()

/** `--duration`: seconds the invocation ran, a finite number ≥ 0. */
export function parseDuration(text: string | undefined): number {
  if (text === undefined) return 0
  const result = durationSchema.safeParse(text.trim() === '' ? Number.NaN : text)
  if (result.success) return result.data
  throw new UsageError(
    `--duration must be a finite number of seconds ≥ 0, got ${JSON.stringify(text)}`,
  )
}
