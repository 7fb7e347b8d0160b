import { type DatabaseTarget, SchemaRunner } from '@skill-metrics/migration'
import { millisecondsOf } from './inputs.js'

/** Opens the runner, runs `work`, always closes it. A dry run opens the database read-only. */
export async function withSchemaRunner<T>(
  target: DatabaseTarget,
  flags: { 'migrations-dir'?: string; 'lock-timeout'?: number; 'dry-run'?: boolean },
  work: (runner: SchemaRunner) => Promise<T>,
): Promise<T> {
  const runner = await SchemaRunner.open({
    target,
    migrationsDir: flags['migrations-dir'],
    lockTimeoutMs: millisecondsOf(flags['lock-timeout']),
    readOnly: flags['dry-run'] === true,
  })
  try {
    return await work(runner)
  } finally {
    await runner.close()
  }
}
