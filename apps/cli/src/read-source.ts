import { Flags } from '@oclif/core'
import type { MetricsTracker } from '@skill-metrics/core'
import { type DatabaseTarget, SkillMetricsStore } from '@skill-metrics/db-store'
import { JsonFileTracker } from '@skill-metrics/json-tracker'
import { openTracker, readSourceOf } from '@skill-metrics/migration'

export type ReadSource = 'json' | 'db'

/** `--source`: by default, where the current phase reads from. */
export const sourceFlag = Flags.string({
  summary:
    'Where to read from: the legacy JSON file or the database (default: what the phase reads from).',
  options: ['json', 'db'] as const,
})

/** The source asked for, or the one the current phase reads from. */
export async function resolveSource(
  flag: string | undefined,
  jsonFile: string,
): Promise<ReadSource> {
  return flag === 'json' || flag === 'db' ? flag : readSourceOf(jsonFile)
}

/**
 * Runs `work` on the tracker of the chosen source and closes it. With no `--source`, the phase's
 * own tracker reads: in dual-read it compares the database with the file and records what
 * differs, as every reader does then.
 */
export async function withReadTracker<T>(
  flag: string | undefined,
  source: ReadSource,
  jsonFile: string,
  database: DatabaseTarget,
  work: (tracker: MetricsTracker) => Promise<T>,
): Promise<T> {
  const tracker: MetricsTracker =
    flag === undefined
      ? await openTracker({ jsonFile, db: database })
      : source === 'db'
        ? await SkillMetricsStore.open({ target: database })
        : new JsonFileTracker({ file: jsonFile })
  try {
    return await work(tracker)
  } finally {
    await tracker.close()
  }
}
