// The operations' defaults the CLI's flags name in their help: here, not beside the operations,
// so that every command's start reads them without loading cutover, cleanup and rollback.

export const DEFAULT_RETENTION_DAYS = 7

export const DEFAULT_FREEZE_TIMEOUT_MS = 5_000

export const ROLLBACK_TARGETS = ['json-only', 'dual-write'] as const
export type RollbackTarget = (typeof ROLLBACK_TARGETS)[number]
