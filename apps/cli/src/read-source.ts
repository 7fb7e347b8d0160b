import { Flags } from '@oclif/core'
import type { MetricsTracker } from '@skill-metrics/core'
import { type DatabaseTarget, SkillMetricsStore } from '@skill-metrics/db-store'
import { JsonFileTracker } from '@skill-metrics/json-tracker'

export type ReadSource = 'json' | 'db'

/** `--source`: until the phase machine decides, reads come from the legacy file. */
export const sourceFlag = Flags.string({
  summary: 'Where to read from: the legacy JSON file or the database.',
  options: ['json', 'db'] as const,
  default: 'json',
})

/** Runs `work` on the tracker of the chosen source and closes it. */
export async function withReadTracker<T>(
  source: string,
  jsonFile: string,
  database: DatabaseTarget,
  work: (tracker: MetricsTracker) => Promise<T>,
): Promise<T> {
  const tracker: MetricsTracker =
    source === 'db'
      ? await SkillMetricsStore.open({ target: database })
      : new JsonFileTracker({ file: jsonFile })
  try {
    return await work(tracker)
  } finally {
    await tracker.close()
  }
}
