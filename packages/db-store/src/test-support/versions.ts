import { loadMigrationSources } from '../schema/migration-file.js'
import { BUNDLED_MIGRATIONS_DIR } from '../schema/schema-runner.js'

/** The newest bundled schema version: tests derive from it so a new version breaks none of them. */
export const LATEST_VERSION = Math.max(
  ...(await loadMigrationSources(BUNDLED_MIGRATIONS_DIR, 'sqlite')).map((source) => source.version),
)

/** A version number free for a test's own migration file. */
export const NEXT_VERSION = LATEST_VERSION + 1

/** [from, from + 1, …, to]. */
export function versions(from: number, to = LATEST_VERSION): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, index) => from + index)
}
