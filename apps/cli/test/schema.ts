import { cp, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BUNDLED_MIGRATIONS_DIR } from '@skill-metrics/db-store'
import { DIALECTS, freshDatabase, type TestDatabase } from '@skill-metrics/testing/databases'
import { type CliRun, makeTempDir, runCli, runCommand } from './support.js'

export {
  LATEST_VERSION,
  NEXT_VERSION,
  REQUIRED_VERSION,
  versions,
} from '@skill-metrics/testing/versions'
export { DIALECTS, freshDatabase, type TestDatabase }

export async function migrationsCopy(): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'sm-cli-migrations-')), 'migrations')
  await cp(BUNDLED_MIGRATIONS_DIR, dir, { recursive: true, dereference: true })
  return dir
}

/** `skill-metrics schema …` against a database, from a scratch working directory. */
export async function schemaCli(db: TestDatabase, args: string[]): Promise<CliRun> {
  return runCommand(['schema', ...args, '--db', db.url], { cwd: await makeTempDir() })
}

/** Two `schema migrate` processes started together; returns both runs. */
export async function raceMigrate(db: TestDatabase): Promise<[CliRun, CliRun]> {
  const cwd = await makeTempDir()
  const start = () => runCli(['schema', 'migrate', '--db', db.url, '--json'], { cwd })
  return Promise.all([start(), start()])
}
