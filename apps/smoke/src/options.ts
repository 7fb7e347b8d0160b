import { parseArgs } from 'node:util'
import { z } from 'zod'
import { FULL_MS } from './disk-full.js'

const optionsSchema = z
  .strictObject({
    dialect: z.enum(['sqlite', 'postgres']),
    invocations: z.coerce.number().int().min(100).max(10_000_000),
    writers: z.coerce.number().int().min(1).max(64),
    /** How many of the writers are Python processes using the drop-in (`clients/python`). */
    'python-writers': z.coerce.number().int().min(0).max(64),
    chaos: z.boolean(),
    'disk-full': z.boolean(),
    'foreign-writer': z.boolean(),
    json: z.boolean(),
    'freeze-timeout': z.coerce.number().int().min(1).max(600),
    /** A fault for the harness's own test: the backfill "skips" the file's first record. */
    break: z.enum(['skip-backfill-record']).optional(),
  })
  // The original tracker's save on a full disk truncates the legacy file: a fault of its own.
  .refine((options) => !(options['foreign-writer'] && options['disk-full']), {
    path: ['foreign-writer'],
    message: 'cannot run with --disk-full',
  })
  .refine((options) => options['python-writers'] <= options.writers, {
    path: ['python-writers'],
    message: 'cannot be more than --writers (they are some of the writers)',
  })
export type Options = z.infer<typeof optionsSchema>

export const USAGE = `usage: pnpm smoke [--dialect sqlite|postgres] [--invocations N] [--writers K] [--python-writers P] [--chaos] [--disk-full] [--foreign-writer] [--freeze-timeout S] [--json]
  --python-writers: P of the K writers (default 0, at most K) are Python processes (python3) using
    the drop-in of clients/python through the journal and \`skill-metrics journal apply\`; a tag
    whose completer returned may wait in the journal, so it is looked for counted twice only
    until the writers stopped and a \`journal apply\` ran, then it must be there once
  --foreign-writer: the original Python tracker (python3) saves the legacy file in place, without
    a lock, at random moments of the whole run; moved aside across each validation and guard and
    each data migrate, as a person migrating would
  --disk-full: the legacy file (and SQLite database) on a small tmpfs, filled for ${FULL_MS / 1000} s of dual-write (needs root; without the mount, skipped outside CI, fails under CI)`

/** The options, or what is wrong with the arguments (to print above `USAGE`). */
export function parseOptions(argv: string[]): { options: Options } | { error: string } {
  try {
    const { values } = parseArgs({
      args: argv.filter((arg) => arg !== '--'),
      options: {
        dialect: { type: 'string', default: 'sqlite' },
        invocations: { type: 'string', default: '5000' },
        writers: { type: 'string', default: '4' },
        'python-writers': { type: 'string', default: '0' },
        chaos: { type: 'boolean', default: false },
        'disk-full': { type: 'boolean', default: false },
        'foreign-writer': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'freeze-timeout': { type: 'string', default: '5' },
        break: { type: 'string' },
      },
    })
    return { options: optionsSchema.parse(values) }
  } catch (error) {
    return {
      error:
        error instanceof z.ZodError
          ? error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`).join('; ')
          : (error as Error).message,
    }
  }
}
