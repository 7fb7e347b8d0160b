import { access } from 'node:fs/promises'
import { RefusedError } from '@skill-metrics/core'
import {
  canonicalDatabaseUrl,
  type DatabaseTarget,
  DEFAULT_DATABASE_URL,
  parseDatabaseUrl,
} from '@skill-metrics/db-store/database-url'
import { phaseCopyPathOf, readPhaseCopy } from './phase-copy.js'

// Both defaults are relative to the current directory: run from another folder, a command would
// read an empty file and write another database without a word. Each phase transition therefore
// records the pair (flipPhase): the database in the copy beside the file, the file in the
// database. Here, the first half; the second is legacyFileServed.

/**
 * The database a command works on: the one given (`--db`, `SKILL_METRICS_DB`), else the one the
 * copy beside the legacy file records, else the default. Past json-only a given one that is not
 * the recorded one is refused, naming both; in json-only no writer uses a database, so
 * `phase dual-write` may start with another one (and records it).
 */
export async function databaseOfLegacyFile(
  jsonFile: string,
  given: string | undefined,
): Promise<DatabaseTarget> {
  // A copy that cannot be read records nothing here; the commands that read it report it.
  const copy = await readPhaseCopy(jsonFile).catch(() => null)
  const recorded = copy?.database
  if (given === undefined) {
    return recorded === undefined
      ? parseDatabaseUrl(DEFAULT_DATABASE_URL)
      : parseDatabaseUrl(recorded, process.cwd(), phaseCopyPathOf(jsonFile))
  }
  const target = parseDatabaseUrl(given)
  const named = canonicalDatabaseUrl(target)
  if (recorded === undefined || copy?.phase === 'json-only' || named === recorded) return target
  throw new RefusedError(
    `--db ${named} is not the database ${jsonFile} migrates to: ${recorded} (recorded in ${phaseCopyPathOf(jsonFile)} by the last phase command)`,
    {
      nextStep: `Leave out --db and SKILL_METRICS_DB to use ${recorded}, or check --json-file and the current directory.`,
    },
  )
}

/**
 * For the commands that read the legacy file: a warning when it does not exist, since a
 * mistyped `--json-file` or the wrong folder would read as an empty tracker. None after cleanup,
 * which removed it on purpose.
 */
export async function missingLegacyFileWarning(jsonFile: string): Promise<string | null> {
  const exists = await access(jsonFile).then(
    () => true,
    () => false,
  )
  if (exists || (await readPhaseCopy(jsonFile).catch(() => null))?.phase === 'cleaned') return null
  return `no legacy file at ${jsonFile}: check --json-file (SKILL_METRICS_JSON_FILE) and the current directory`
}
