import { createHash } from 'node:crypto'
import type { Dirent } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { BadInputError } from '@skill-metrics/core'
import { findNonIndexStatement, type SqlDialect, splitSqlStatements } from './sql-splitter.js'

export const ROLLBACK_MARKER = '-- Rollback migration'
export const NO_TRANSACTION_DIRECTIVE = '-- skill-metrics: no-transaction'
export const OPTIONAL_DIRECTIVE = '-- skill-metrics: optional'

/** One version's SQL as the runner applies it on one dialect. */
export interface MigrationSource {
  version: number
  description: string
  /** The file's name, without its folder. */
  scriptName: string
  path: string
  /** Came from `postgres/`, replacing (or adding to) the shared files. */
  dialectSpecific: boolean
  /** The text before the marker line, without BOM and with LF line ends. */
  forwardSql: string
  /** The text after the marker, uncommented by the `-- ` rule; null when there is none. */
  rollbackSql: string | null
  forwardChecksum: string
  /** Of the rollback part as written (before uncommenting); null only when there is no marker. */
  rollbackChecksum: string | null
  /** False when the no-transaction directive is among the comment lines heading the file. */
  transactional: boolean
  /**
   * The optional directive heads the file: both parts only create or drop indexes, so no query
   * depends on the version for its answer and the store opens while it is pending.
   */
  optional: boolean
}

interface SourceFile {
  scriptName: string
  path: string
  version: number
  description: string
  dialectSpecific: boolean
}

const FILE_NAME = /^V(\d+)__([A-Za-z0-9_]+)\.sql$/
const EXPECTED_NAME =
  'V<version>__<description>.sql, the description made of letters, digits and underscores (e.g. V2__add_percentile_fields.sql)'
// schema_migrations.version is an INTEGER, which is 32-bit in PostgreSQL.
const MAX_VERSION = 2_147_483_647

/** Version and description of `V<digits>__<description>.sql`; undefined for any other name. */
export function parseMigrationFileName(
  name: string,
): { version: number; description: string } | undefined {
  const match = FILE_NAME.exec(name)
  const [, digits, description] = match ?? []
  if (digits === undefined || description === undefined) return undefined
  const version = Number(digits)
  if (version > MAX_VERSION) return undefined
  return { version, description: description.replaceAll('_', ' ') }
}

/**
 * Sha256 (hex) of a migration part. A BOM and the line-end convention are how an editor saved the
 * file, not what it says, so they are normalised away; every other change is drift.
 */
export function checksumOf(text: string): string {
  return createHash('sha256').update(normalise(text), 'utf8').digest('hex')
}

/** Splits a migration file's text into its forward and rollback parts and reads its directive. */
export function parseMigrationText(text: string, source: SourceFile): MigrationSource {
  const lines = normalise(text).split('\n')
  const markers = lines.flatMap((line, index) => (isMarker(line) ? [index] : []))
  const [marker, second] = markers
  if (marker !== undefined && second !== undefined) {
    throw new BadInputError(
      { file: source.path, record: `line ${second + 1}` },
      `a second "${ROLLBACK_MARKER}" line (the first is line ${marker + 1}); a file holds one forward part and one rollback part`,
      { nextStep: 'Keep one marker line between the forward SQL and the rollback SQL.' },
    )
  }
  const forwardSql =
    marker === undefined
      ? lines.join('\n')
      : lines
          .slice(0, marker)
          .map((line) => `${line}\n`)
          .join('')
  const rollbackPart = marker === undefined ? null : lines.slice(marker + 1).join('\n')
  const rollbackSql = rollbackPart === null ? null : uncomment(rollbackPart)
  const heading = marker === undefined ? lines : lines.slice(0, marker)
  const optional = hasDirective(heading, OPTIONAL_DIRECTIVE)
  if (optional) {
    requireIndexesOnly(source, forwardSql, 1)
    if (rollbackSql !== null)
      requireIndexesOnly(source, rollbackSql, marker! + 2, ' (rollback part)')
  }
  return {
    version: source.version,
    description: source.description,
    scriptName: source.scriptName,
    path: source.path,
    dialectSpecific: source.dialectSpecific,
    forwardSql,
    rollbackSql: rollbackSql === null || rollbackSql.trim() === '' ? null : rollbackSql,
    forwardChecksum: checksumOf(forwardSql),
    rollbackChecksum: rollbackPart === null ? null : checksumOf(rollbackPart),
    transactional: !hasDirective(heading, NO_TRANSACTION_DIRECTIVE),
    optional,
  }
}

/**
 * An optional version may only add or drop plain indexes: anything else (a UNIQUE index
 * included, which is a constraint writers would hit) changes what the store reads or accepts,
 * and the store opens while an optional version is pending.
 */
function requireIndexesOnly(source: SourceFile, sql: string, firstLine: number, part = ''): void {
  // A dialect's own file is split as PostgreSQL; a shared file's index statements split alike.
  const dialect = source.dialectSpecific ? 'postgres' : 'sqlite'
  const file = `${source.path}${part}`
  const other = findNonIndexStatement(splitSqlStatements(sql, dialect, file, firstLine))
  if (other === undefined) return
  throw new BadInputError(
    { file, record: `line ${other.line}` },
    `${JSON.stringify(other.sql.split('\n')[0])}: a version marked "${OPTIONAL_DIRECTIVE}" may only CREATE INDEX or DROP INDEX (not UNIQUE), since the store opens while it is pending`,
    {
      nextStep: `Move the statement into a version without the directive, or remove the "${OPTIONAL_DIRECTIVE}" line.`,
    },
  )
}

/**
 * The migrations of `dir` for one dialect, by ascending version. PostgreSQL also reads
 * `dir/postgres/`, whose files replace the shared file of the same version or add a version.
 * A misnamed `.sql` file or two files of one version in a folder are bad input: a file the runner
 * skipped would silently leave its version unapplied.
 */
export async function loadMigrationSources(
  dir: string,
  dialect: SqlDialect,
): Promise<MigrationSource[]> {
  const byVersion = new Map<number, MigrationSource>()
  for (const source of await readFolder(dir, false)) byVersion.set(source.version, source)
  if (dialect === 'postgres') {
    for (const source of await readFolder(join(dir, 'postgres'), true)) {
      byVersion.set(source.version, source)
    }
  }
  return [...byVersion.values()].sort((a, b) => a.version - b.version)
}

async function readFolder(folder: string, dialectSpecific: boolean): Promise<MigrationSource[]> {
  let entries: Dirent[]
  try {
    entries = await readdir(folder, { withFileTypes: true })
  } catch (error) {
    // Only the dialect folder is optional: without the shared one there is nothing to apply.
    if (dialectSpecific && errorCode(error) === 'ENOENT') return []
    const problem =
      errorCode(error) === 'ENOENT'
        ? 'the migrations folder does not exist'
        : errorCode(error) === 'ENOTDIR'
          ? 'the migrations folder is not a folder'
          : 'the migrations folder cannot be read'
    throw new BadInputError({ file: folder }, problem, { cause: error })
  }
  const files: SourceFile[] = []
  const byVersion = new Map<number, string>()
  // Sorted, so the file an error names does not depend on the file system's listing order. The
  // extension is matched in any case so that `V1__x.SQL` is reported rather than skipped.
  const names = entries
    .filter((entry) => !entry.isDirectory() && entry.name.toLowerCase().endsWith('.sql'))
    .map((entry) => entry.name)
    .sort()
  for (const scriptName of names) {
    const path = join(folder, scriptName)
    const parsed = parseMigrationFileName(scriptName)
    if (parsed === undefined) {
      throw new BadInputError(
        { file: path },
        `"${scriptName}" is not a migration file name: expected ${EXPECTED_NAME}`,
        { nextStep: 'Rename the file, or move it out of the migrations folder.' },
      )
    }
    const other = byVersion.get(parsed.version)
    if (other !== undefined) {
      throw new BadInputError(
        { file: path },
        `version ${parsed.version} is also the version of ${join(folder, other)}; each version has one file`,
        { nextStep: 'Give one of the two files the next unused version.' },
      )
    }
    byVersion.set(parsed.version, scriptName)
    files.push({ scriptName, path, dialectSpecific, ...parsed })
  }
  return Promise.all(files.map(async (file) => parseMigrationText(await readText(file.path), file)))
}

// Fatal decoding: a lossy one would map different invalid bytes to the same text and checksum.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

async function readText(path: string): Promise<string> {
  let bytes: Buffer
  try {
    bytes = await readFile(path)
  } catch (error) {
    throw new BadInputError({ file: path }, 'the migration file cannot be read', { cause: error })
  }
  try {
    return UTF8.decode(bytes)
  } catch (error) {
    throw new BadInputError({ file: path }, 'the migration file is not UTF-8 text', {
      cause: error,
    })
  }
}

function normalise(text: string): string {
  return (text.startsWith('\uFEFF') ? text.slice(1) : text).replace(/\r\n?/g, '\n')
}

function isMarker(line: string): boolean {
  return line.trim().toLowerCase() === ROLLBACK_MARKER.toLowerCase()
}

/** The original design's rollback: every non-blank line commented out with `-- `. */
function uncomment(part: string): string {
  const lines = part.split('\n')
  const written = lines.filter((line) => line.trim() !== '')
  if (!written.every((line) => line.startsWith('-- '))) return part
  return lines.map((line) => (line.trim() === '' ? line : line.slice(3))).join('\n')
}

/** A directive counts only in the comments heading the file: once SQL starts it is a comment. */
function hasDirective(lines: string[], directive: string): boolean {
  for (const line of lines) {
    const trimmed = line.trim()
    if (trimmed.toLowerCase() === directive) return true
    if (trimmed !== '' && !trimmed.startsWith('--')) return false
  }
  return false
}

function errorCode(error: unknown): unknown {
  return error instanceof Error && 'code' in error ? error.code : undefined
}
