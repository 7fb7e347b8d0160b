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
