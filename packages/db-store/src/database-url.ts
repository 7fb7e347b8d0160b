import { resolve } from 'node:path'
import { BadInputError } from '@skill-metrics/core'
import * as z from '@skill-metrics/core/zod'

/** Where the store lives, parsed from `--db` / `SKILL_METRICS_DB`. */
export type DatabaseTarget = (
  | { dialect: 'sqlite'; path: string; inMemory: boolean; display: string }
  | { dialect: 'postgres'; url: string; schema: string | undefined; display: string }
) & {
  /**
   * The mode of files the store creates (a new SQLite database and its journals, exports): the
   * legacy file's, so a copy is never readable by more users than it (default 0600).
   */
  fileMode?: number
  /**
   * PostgreSQL: how long opening a connection may take, name lookup, TCP, TLS and authentication
   * included (default `DEFAULT_CONNECT_TIMEOUT_MS`). A host that drops packets would otherwise
   * hold the command for the operating system's TCP time-out, minutes.
   */
  connectTimeoutMs?: number
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000

export const DEFAULT_DATABASE_URL = 'sqlite:.session-buddy/skill_metrics.db'

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

const postgresUrl = z
  .pipe(
    z.string(),
    z.transform((text: string, context) => {
      try {
        return new URL(text)
      } catch {
        context.issues.push({ code: 'custom', message: 'is not a valid URL', input: text })
        return z.NEVER
      }
    }),
  )
  .check(
    z.refine((url: URL) => url.hostname !== '', 'names no host'),
    z.refine(
      (url: URL) => url.pathname.length > 1,
      'names no database (postgres://user@host:5432/DATABASE)',
    ),
    z.refine(
      (url: URL) =>
        !url.searchParams.has('schema') || IDENTIFIER.test(url.searchParams.get('schema')!),
      'has a schema parameter that is not a plain identifier',
    ),
  )

/** The URL with its password masked (in the user info and any `password` parameter): safe for output and logs. */
export function redactUrl(text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return maskPasswordInText(text)
  }
  if (url.password !== '') url.password = '***'
  for (const key of [...url.searchParams.keys()]) {
    if (key.toLowerCase() === 'password') url.searchParams.set(key, '***')
  }
  return url.toString()
}

/**
 * What `new URL` refuses (no host, a bad port) is shown in error messages too: mask what looks
 * like a password without parsing. The user info ends at the authority's last "@", since a
 * password may itself contain "@".
 */
function maskPasswordInText(text: string): string {
  return text
    .replace(/([?&]password=)[^&#]*/gi, '$1***')
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:)[^/?#]*@/i, '$1***@')
}

/** `:memory:` and SQLite's URI forms of it (`file::memory:`, `file:name?mode=memory`). */
const IN_MEMORY = /^(file:)?:memory:(\?.*)?$|^file:[^?]*\?(.*&)?mode=memory(&|$)/

/**
 * Accepted forms: `sqlite:PATH` (relative to `cwd`), `sqlite::memory:`, and
 * `postgres://` or `postgresql://` URLs, optionally with `?schema=NAME`. Anything else is bad input.
 */
export function parseDatabaseUrl(
  text: string,
  cwd = process.cwd(),
  source = '--db',
): DatabaseTarget {
  if (text.startsWith('sqlite:')) {
    const rest = text.slice('sqlite:'.length)
    const path = rest.startsWith('//') ? rest.slice(2) : rest
    if (IN_MEMORY.test(path))
      return { dialect: 'sqlite', path: ':memory:', inMemory: true, display: text }
    if (path === '') {
      throw new BadInputError(
        { file: source },
        `${JSON.stringify(text)} names no file (sqlite:PATH)`,
      )
    }
    return { dialect: 'sqlite', path: resolve(cwd, path), inMemory: false, display: text }
  }
  if (/^postgres(ql)?:\/\//.test(text)) {
    const parsed = postgresUrl.safeParse(text)
    if (!parsed.success) {
      throw new BadInputError(
        { file: source },
        `${JSON.stringify(redactUrl(text))} ${parsed.error.issues[0]!.message}`,
      )
    }
    const url = parsed.data
    const schema = url.searchParams.get('schema') ?? undefined
    url.searchParams.delete('schema')
    return { dialect: 'postgres', url: url.toString(), schema, display: redactUrl(text) }
  }
  throw new BadInputError(
    { file: source },
    `${JSON.stringify(redactUrl(text))} is not a database URL: use sqlite:PATH, sqlite::memory: or postgres://user@host:5432/database`,
  )
}

const POSTGRES_DEFAULT_PORT = '5432'

/**
 * The database as it is recorded beside a legacy file and compared with another `--db`: SQLite as
 * `sqlite:` and its absolute path, PostgreSQL without its password (the record is a plain file)
 * and with the port, the `postgres:` scheme and `?schema=` spelled one way, so two spellings of
 * the same database compare equal.
 */
export function canonicalDatabaseUrl(target: DatabaseTarget): string {
  if (target.dialect === 'sqlite')
    return target.inMemory ? 'sqlite::memory:' : `sqlite:${target.path}`
  const url = new URL(target.url)
  url.protocol = 'postgres:'
  url.password = ''
  // Host names are case-insensitive, and a `postgres:` URL is not one whose host URL lowercases.
  url.hostname = url.hostname.toLowerCase()
  if (url.port === '') url.port = POSTGRES_DEFAULT_PORT
  for (const key of [...url.searchParams.keys()]) {
    if (key.toLowerCase() === 'password') url.searchParams.delete(key)
  }
  if (target.schema !== undefined) url.searchParams.set('schema', target.schema)
  return url.toString()
}

/**
 * Refuses an in-memory SQLite database for a command whose result must last: each process gets
 * its own empty one, gone when it exits, so what the command wrote would vanish without a word.
 */
export function requireLastingDatabase(target: DatabaseTarget, source = '--db'): void {
  if (target.dialect === 'sqlite' && target.inMemory) {
    throw new BadInputError(
      { file: source },
      `${JSON.stringify(target.display)} is an in-memory database, gone when this command exits: what it writes would be lost; use sqlite:PATH or postgres://user@host:5432/database`,
    )
  }
}
