import { Flags } from '@oclif/core'
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_DATABASE_URL,
  DEFAULT_FREEZE_TIMEOUT_MS,
  DEFAULT_RETENTION_DAYS,
  ROLLBACK_TARGETS,
} from '@skill-metrics/migration/start'

export const DEFAULT_JSON_FILE = '.session-buddy/skill_metrics.json'

/** `--json-file`, `--db` and `--connect-timeout`: every command takes them. */
export const globalFlags = {
  'json-file': Flags.string({
    summary: 'The legacy JSON metrics file (relative paths resolve against the current directory).',
    env: 'SKILL_METRICS_JSON_FILE',
    default: DEFAULT_JSON_FILE,
    helpGroup: 'GLOBAL',
  }),
  // No oclif default: a command must tell a --db it was given from none, to use the database
  // recorded beside the legacy file instead.
  db: Flags.string({
    summary: `Database URL: sqlite:PATH, sqlite::memory: or postgres://USER@HOST/DB (default: the one the last phase command recorded beside the legacy file, else ${DEFAULT_DATABASE_URL}).`,
    env: 'SKILL_METRICS_DB',
    helpGroup: 'GLOBAL',
  }),
  'connect-timeout': Flags.string({
    summary: `Seconds to wait for the PostgreSQL server to answer a connection before giving up with exit 4 (default ${DEFAULT_CONNECT_TIMEOUT_MS / 1000}).`,
    env: 'SKILL_METRICS_CONNECT_TIMEOUT',
    helpGroup: 'GLOBAL',
  }),
}

const dryRunFlag = Flags.boolean({
  summary: 'Print what would run; write nothing, not even the database file.',
})

/** `--force --reason "…"` on a phase transition: a failed guard is overridden and recorded. */
const forceFlags = {
  force: Flags.boolean({
    summary: 'Override a failed guard (needs --reason; recorded).',
    dependsOn: ['reason'],
  }),
  reason: Flags.string({ summary: 'Why: recorded in the audit history.' }),
}

/** Destructive commands ask on a terminal (never without one): `--yes` answers for the operator. */
const yesFlag = Flags.boolean({
  summary: 'Do not ask for confirmation on a terminal (nothing is asked without one).',
})

/** `metrics`, `summary`, `report` and `export`: by default, where the current phase reads from. */
export const sourceFlags = {
  source: Flags.option({
    summary:
      'Where to read from: the legacy JSON file or the database (default: what the phase reads from).',
    options: ['json', 'db'] as const,
  })(),
}

const writersLockTimeoutFlag = Flags.integer({
  summary: "Seconds to wait for the writers' lock before giving up with exit 4 (default 30).",
  min: 0,
})

export const trackFlags = {
  'workflow-path': Flags.string({ summary: 'The workflow path the skill took.' }),
  abandoned: Flags.boolean({ summary: 'Record the invocation as abandoned, not completed.' }),
  'error-type': Flags.string({ summary: 'The error that ended it.' }),
  'follow-up': Flags.string({
    summary: 'A follow-up action (repeat the flag for more; duplicates count).',
    multiple: true,
    multipleNonGreedy: true,
  }),
  duration: Flags.string({ summary: 'How many seconds ago it started (default 0).' }),
  'lock-timeout': writersLockTimeoutFlag,
}

export const journalApplyFlags = {
  entry: Flags.string({
    summary: 'One journal entry, as the JSON line its writer appended.',
    exclusive: ['serve'],
  }),
  serve: Flags.boolean({
    summary:
      'Read entries from standard input, one JSON line each, until it ends; answer each with one JSON line on standard output (the Python client keeps one such run).',
  }),
  'lock-timeout': writersLockTimeoutFlag,
}

export const generateFlags = {
  invocations: Flags.integer({ summary: 'How many invocations.', required: true }),
  skills: Flags.integer({ summary: 'How many distinct skills (default 20).' }),
  seed: Flags.integer({
    summary: 'Random seed (default 1): the same seed writes the same file.',
  }),
  force: Flags.boolean({ summary: 'Overwrite OUT when it exists.' }),
}

/** `phase dual-write` and `phase dual-read`. */
export const phaseFlags = {
  ...forceFlags,
  'dry-run': dryRunFlag,
}

export const dualWriteFlags = {
  ...phaseFlags,
  'allow-empty': Flags.boolean({
    summary:
      'Start from an empty tracker when the legacy file does not exist (recorded); without it that is refused, as a mistyped path would be.',
  }),
}

export const dataMigrateFlags = {
  force: Flags.boolean({
    summary:
      'Go on though the database serves another legacy file, this one having moved there (needs --reason; recorded).',
    dependsOn: ['reason'],
  }),
  reason: forceFlags.reason,
  final: Flags.boolean({
    summary: "Hold the writers' lock for the whole run: the database equals the file when it ends.",
  }),
  'batch-size': Flags.integer({
    summary:
      'Records per transaction and per checkpoint (default 20000); keep it the same between runs so a rerun can skip the batches already in sync.',
    min: 1,
    max: 100_000,
  }),
  'dry-run': dryRunFlag,
}

export const dataValidateFlags = {
  report: Flags.string({
    summary: 'Write the full comparison (every difference with its fields) to this JSON file.',
  }),
  ...forceFlags,
  'dry-run': Flags.boolean({
    summary:
      'Compare and report only: record no validation, move no phase, keep the checkpoints of data migrate.',
  }),
}

export const cutoverFlags = {
  'freeze-timeout': Flags.integer({
    summary: `Seconds writers may be held waiting during the final sync (default ${DEFAULT_FREEZE_TIMEOUT_MS / 1000}); past it nothing changes.`,
    min: 1,
    max: 600,
  }),
  force: Flags.boolean({
    summary:
      'Cut over though the free-space or foreign-writer check fails, or the legacy file moved from where the database has it (needs --reason; recorded).',
    dependsOn: ['reason'],
  }),
  reason: forceFlags.reason,
  'dry-run': dryRunFlag,
}

export const rollbackFlags = {
  to: Flags.option({
    summary: 'The phase to go back to (default dual-write).',
    options: ROLLBACK_TARGETS,
  })(),
  force: Flags.boolean({
    summary:
      'Roll back though the free-space check fails, or the legacy file moved from where the database has it (needs --reason; recorded).',
    dependsOn: ['reason'],
  }),
  reason: Flags.string({ summary: 'Why, recorded in the phase history.' }),
  'dry-run': dryRunFlag,
}

export const cleanupFlags = {
  'retention-days': Flags.string({
    summary: `Days that must pass since cutover (default ${DEFAULT_RETENTION_DAYS}; fewer counts as forcing: --force --reason).`,
  }),
  ...forceFlags,
  yes: yesFlag,
  'dry-run': dryRunFlag,
}

/** Flags every `schema` command takes besides the shared ones. */
export const schemaFlags = {
  'migrations-dir': Flags.string({
    summary: 'Use the migrations in this folder instead of the ones shipped with skill-metrics.',
  }),
  'lock-timeout': Flags.integer({
    summary: 'Seconds to wait for another runner holding the schema lock (default 60).',
    min: 0,
  }),
}

export const schemaMigrateFlags = {
  ...schemaFlags,
  target: Flags.integer({ summary: 'Stop at this version (default: the latest).', min: 0 }),
  'dry-run': dryRunFlag,
}

export const schemaRollbackFlags = {
  ...schemaFlags,
  to: Flags.integer({
    summary: 'The version to return to (0 for an empty schema).',
    required: true,
    min: 0,
  }),
  force: Flags.boolean({
    summary:
      'Roll back below the version the current phase needs (needs --reason; recorded as forced).',
    dependsOn: ['reason'],
  }),
  reason: Flags.string({
    summary: 'Why: recorded in schema_migrations_audit and the phase history.',
  }),
  yes: yesFlag,
  'dry-run': dryRunFlag,
}

export const schemaBaselineFlags = {
  ...schemaFlags,
  version: Flags.integer({
    summary: 'The version the existing schema is at.',
    required: true,
    min: 1,
  }),
  'dry-run': dryRunFlag,
}

export const schemaRepairFlags = {
  ...schemaFlags,
  realign: Flags.integer({
    summary: 'Accept the current file of this applied version (repeatable).',
    multiple: true,
    min: 1,
  }),
  'dry-run': dryRunFlag,
}
