import type { SqlDialect } from '../schema/sql-splitter.js'

/** A JSON column read back as its text, so key order survives (pg would parse it). */
export function asText(dialect: SqlDialect, column: string): string {
  return dialect === 'postgres' ? `${column}::text AS ${column}` : column
}

/** `= ?` that holds for two NULLs too. */
export function nullSafeEqualsParameter(dialect: SqlDialect): string {
  return dialect === 'postgres' ? 'IS NOT DISTINCT FROM ?' : 'IS ?'
}

/** A boolean as the dialect binds it: SQLite has no boolean type. */
export function sqlBoolean(dialect: SqlDialect, value: boolean): boolean | number {
  return dialect === 'sqlite' ? Number(value) : value
}
