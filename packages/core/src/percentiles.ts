import type { LegacyInvocation } from './legacy.js'

export interface Percentiles {
  p50: number | null
  p95: number | null
  p99: number | null
}

/**
 * Linear interpolation between closest ranks (PostgreSQL's `percentile_cont`, numpy's default).
 * `sorted` must be ascending.
 */
export function percentileOfSorted(sorted: readonly number[], fraction: number): number | null {
  if (sorted.length === 0) return null
  const rank = fraction * (sorted.length - 1)
  const lower = Math.floor(rank)
  const upper = Math.ceil(rank)
  const low = sorted[lower]!
  const high = sorted[upper]!
  return low + (high - low) * (rank - lower)
}

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = Float64Array.from(values).sort()
  const asArray = Array.from(sorted)
  return {
    p50: percentileOfSorted(asArray, 0.5),
    p95: percentileOfSorted(asArray, 0.95),
    p99: percentileOfSorted(asArray, 0.99),
  }
}

/** Float64 blocks that grow by doubling: a million durations take 8 MB, not an array of boxes. */
class DurationBlocks {
  readonly #full: Float64Array[] = []
  #block = new Float64Array(1024)
  #used = 0

  push(duration: number): void {
    if (this.#used === this.#block.length) {
      this.#full.push(this.#block)
      this.#block = new Float64Array(Math.min(this.#block.length * 2, 1 << 16))
      this.#used = 0
    }
    this.#block[this.#used++] = duration
  }

  toArray(): number[] {
    const list: number[] = []
    for (const block of [...this.#full, this.#block.subarray(0, this.#used)]) {
      for (const duration of block) list.push(duration)
    }
    return list
  }
}

/**
 * The completed durations of each skill, collected in one pass over the invocations, so the
 * percentile columns of a whole file can be computed without holding its records.
 */
export class CompletedDurations {
  readonly #bySkill = new Map<string, DurationBlocks>()

  add(invocation: LegacyInvocation): void {
    const duration = completedDuration(invocation)
    if (duration === undefined) return
    let blocks = this.#bySkill.get(invocation.skill_name)
    if (blocks === undefined) {
      blocks = new DurationBlocks()
      this.#bySkill.set(invocation.skill_name, blocks)
    }
    blocks.push(duration)
  }

  of(skillName: string): number[] {
    return this.#bySkill.get(skillName)?.toArray() ?? []
  }
}

/** The durations that the percentile columns are computed from: completed invocations only. */
export function completedDuration(invocation: LegacyInvocation): number | undefined {
  return invocation.completed && invocation.duration_seconds !== null
    ? invocation.duration_seconds
    : undefined
}
