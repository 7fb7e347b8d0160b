import { type Clock, PHASES, type Phase } from '@skill-metrics/core'
import { transition } from '../src/phases/transition.js'
import type { Migration } from './support.js'

/**
 * Moves a migration from its current phase on to `to`, one transition at a time with guards that
 * pass: for tests of the later phases, where the data does not matter. The `clock` dates them all,
 * cutover included.
 */
export async function advanceTo(
  { jsonFile, target }: Migration,
  from: Phase,
  to: Phase,
  clock?: Clock,
): Promise<void> {
  for (let index = PHASES.indexOf(from) + 1; index <= PHASES.indexOf(to); index += 1) {
    await transition({
      jsonFile,
      target,
      from: [PHASES[index - 1]!],
      to: PHASES[index]!,
      guard: async () => [],
      clock,
    })
  }
}
