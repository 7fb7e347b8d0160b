import { parseDatabaseUrl, SchemaRunner } from '@skill-metrics/db-store'

// The runner's status of an empty database names the newest bundled version through the public
// surface: reading the migrations folder here would be a second copy of its file-name rules.
const runner = await SchemaRunner.open({ target: parseDatabaseUrl('sqlite::memory:') })

const status = await runner.status().finally(() => runner.close())

/** The newest bundled schema version: tests derive from it so a new version breaks none of them. */
export const LATEST_VERSION = status.latest

/** The newest bundled version that is not optional: the store opens from it on. */
export const REQUIRED_VERSION = status.required

/** A version number free for a test's own migration file. */
export const NEXT_VERSION = LATEST_VERSION + 1

/** [from, from + 1, …, to]. */
export function versions(from: number, to = LATEST_VERSION): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, index) => from + index)
}
