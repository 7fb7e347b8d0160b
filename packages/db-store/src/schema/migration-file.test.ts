import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BadInputError } from '@skill-metrics/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  checksumOf,
  loadMigrationSources,
  type MigrationSource,
  parseMigrationFileName,
  parseMigrationText,
} from './migration-file.js'
import { findTransactionControl, splitSqlStatements } from './sql-splitter.js'

const source = {
  scriptName: 'V7__example.sql',
  path: '/m/V7__example.sql',
  version: 7,
  description: 'example',
  dialectSpecific: false,
}

const parse = (text: string) => parseMigrationText(text, source)

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex')

async function rejection(promise: Promise<unknown>): Promise<BadInputError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(BadInputError)
  return error as BadInputError
}

function thrown(run: () => unknown): BadInputError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(BadInputError)
    return error as BadInputError
  }
  throw new Error('expected a BadInputError, nothing was thrown')
}

const FORWARD = '-- V7__example.sql\nCREATE TABLE a (x INT);\nCREATE INDEX i ON a(x);\n\n'
const ROLLBACK = '-- DROP INDEX i;\n\n-- DROP TABLE a;\n'
const FILE = `${FORWARD}-- Rollback migration\n${ROLLBACK}`

describe('parseMigrationFileName', () => {
  it.each([
    ['V2__add_percentile_fields.sql', 2, 'add percentile fields'],
    ['V001__x.sql', 1, 'x'],
    ['V10__Mixed_Case_9.sql', 10, 'Mixed Case 9'],
    ['V0__zero.sql', 0, 'zero'],
    ['V2147483647__last.sql', 2147483647, 'last'],
  ])('reads %s', (name, version, description) => {
    expect(parseMigrationFileName(name)).toEqual({ version, description })
  })

  it.each([
    'V3_foo.sql',
    'v3__x.sql',
    'V3__.sql',
    'V__x.sql',
    'V3__x',
    'V3__x.SQL',
    'V3__x.sql.bak',
    'V3__x-y.sql',
    'V3__x y.sql',
    ' V3__x.sql',
    'V-3__x.sql',
    'V1.1__x.sql',
    'R__repeatable.sql',
    'V2147483648__too_big.sql',
    'README.md',
  ])('rejects %s', (name) => {
    expect(parseMigrationFileName(name)).toBeUndefined()
  })
})

describe('checksumOf', () => {
  it('is the sha256 hex of the text', () => {
    expect(checksumOf('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
  })

  it('ignores a leading BOM and the line-end convention, nothing else', () => {
    expect(checksumOf('\uFEFFa\r\nb\rc\n')).toBe(checksumOf('a\nb\nc\n'))
    expect(checksumOf('a \nb')).not.toBe(checksumOf('a\nb'))
    expect(checksumOf('a\nb\n')).not.toBe(checksumOf('a\nb'))
    expect(checksumOf('a\n\uFEFFb')).not.toBe(checksumOf('a\nb'))
  })
})

describe('parseMigrationText', () => {
  it('splits the text at the marker line and keeps the source fields', () => {
    const parsed = parse(FILE)
    expect(parsed).toEqual<MigrationSource>({
      ...source,
      forwardSql: FORWARD,
      rollbackSql: 'DROP INDEX i;\n\nDROP TABLE a;\n',
      forwardChecksum: sha256(FORWARD),
      rollbackChecksum: sha256(ROLLBACK),
      transactional: true,
      optional: false,
    })
  })

  it('takes the whole text as forward SQL when there is no marker', () => {
    const parsed = parse('CREATE TABLE a (x INT);\n-- Rollback migration: none\n')
    expect(parsed.forwardSql).toBe('CREATE TABLE a (x INT);\n-- Rollback migration: none\n')
    expect(parsed.forwardChecksum).toBe(sha256(parsed.forwardSql))
    expect(parsed.rollbackSql).toBeNull()
    expect(parsed.rollbackChecksum).toBeNull()
  })

  it('knows the marker in any case and with surrounding blanks, but only as a whole line', () => {
    for (const marker of ['  -- ROLLBACK MIGRATION\t', '-- rollback Migration']) {
      const parsed = parse(`SELECT 1;\n${marker}\nSELECT 2;\n`)
      expect(parsed.forwardSql).toBe('SELECT 1;\n')
      expect(parsed.rollbackSql).toBe('SELECT 2;\n')
    }
    for (const notMarker of [
      '--Rollback migration',
      '-- Rollback  migration',
      'SELECT 1; -- Rollback migration',
    ]) {
      expect(parse(`SELECT 1;\n${notMarker}\nSELECT 2;\n`).rollbackChecksum).toBeNull()
    }
  })

  it('has no rollback SQL, but a rollback checksum, when the part after the marker is blank', () => {
    for (const part of ['', '\n', '  \n\n\t\n']) {
      const parsed = parse(`SELECT 1;\n-- Rollback migration\n${part}`)
      expect(parsed.rollbackSql).toBeNull()
      expect(parsed.rollbackChecksum).toBe(sha256(part))
    }
    const atTheTop = parse('-- Rollback migration\nSELECT 2;')
    expect(atTheTop.forwardSql).toBe('')
    expect(atTheTop.rollbackSql).toBe('SELECT 2;')
  })

  it('refuses a second marker, naming its line and the first', () => {
    const error = thrown(() =>
      parse('SELECT 1;\n-- Rollback migration\nSELECT 2;\n\n-- rollback migration\nSELECT 3;\n'),
    )
    expect(error.location).toEqual({ file: source.path, record: 'line 5' })
    expect(error.message).toContain('the first is line 2')
    expect(error.exitCode).toBe(3)
  })

  describe('the rollback part', () => {
    it('is uncommented when every non-blank line starts with "-- ", blank lines kept', () => {
      const parsed = parse('SELECT 1;\n-- Rollback migration\n\n-- DROP TABLE a;\n  \n-- -- why\n')
      expect(parsed.rollbackSql).toBe('\nDROP TABLE a;\n  \n-- why\n')
    })

    it('is used as written when any non-blank line does not start with "-- "', () => {
      for (const part of [
        '-- undo the table\nDROP TABLE a;\n',
        '-- DROP INDEX i;\n--DROP TABLE a;\n',
        '-- DROP INDEX i;\n  -- DROP TABLE a;\n',
        '-- DROP INDEX i;\n--\n-- DROP TABLE a;\n',
        '/* undo */ DROP TABLE a;\n',
      ]) {
        expect(parse(`SELECT 1;\n-- Rollback migration\n${part}`).rollbackSql).toBe(part)
      }
    })

    it('is checksummed as written, before uncommenting', () => {
      const commented = parse(`SELECT 1;\n-- Rollback migration\n-- DROP TABLE a;\n`)
      const plain = parse(`SELECT 1;\n-- Rollback migration\nDROP TABLE a;\n`)
      expect(commented.rollbackSql).toBe(plain.rollbackSql)
      expect(commented.rollbackChecksum).toBe(sha256('-- DROP TABLE a;\n'))
      expect(commented.rollbackChecksum).not.toBe(plain.rollbackChecksum)
      expect(commented.forwardChecksum).toBe(plain.forwardChecksum)
    })
  })

  describe('normalisation', () => {
    const variants = {
      bom: `\uFEFF${FILE}`,
      crlf: FILE.replaceAll('\n', '\r\n'),
      'bom and crlf': `\uFEFF${FILE.replaceAll('\n', '\r\n')}`,
      cr: FILE.replaceAll('\n', '\r'),
    }

    it.each(Object.entries(variants))(
      'gives a file saved with %s the same parts and checksums',
      (_, text) => {
        const plain = parse(FILE)
        const variant = parse(text)
        expect(variant).toEqual(plain)
      },
    )

    it('lets a trailing space on a forward line change only the forward checksum', () => {
      const plain = parse(FILE)
      const edited = parse(FILE.replace('CREATE TABLE a (x INT);\n', 'CREATE TABLE a (x INT); \n'))
      expect(edited.forwardChecksum).not.toBe(plain.forwardChecksum)
      expect(edited.rollbackChecksum).toBe(plain.rollbackChecksum)
    })

    it('lets a trailing space on a rollback line change only the rollback checksum', () => {
      const plain = parse(FILE)
      const edited = parse(FILE.replace('-- DROP TABLE a;\n', '-- DROP TABLE a; \n'))
      expect(edited.rollbackChecksum).not.toBe(plain.rollbackChecksum)
      expect(edited.forwardChecksum).toBe(plain.forwardChecksum)
    })

    it('lets an edit to a comment or a blank line change the checksum', () => {
      const plain = parse(FILE)
      expect(
        parse(FILE.replace('-- V7__example.sql', '-- V7__example.sql!')).forwardChecksum,
      ).not.toBe(plain.forwardChecksum)
      expect(parse(FILE.replace(';\n\n-- Rollback', ';\n-- Rollback')).forwardChecksum).not.toBe(
        plain.forwardChecksum,
      )
    })
  })

  describe('the no-transaction directive', () => {
    it.each([
      ['first line', '-- skill-metrics: no-transaction\nCREATE INDEX CONCURRENTLY i ON a(x);\n'],
      [
        'among header comments and blank lines',
        '-- V7__example.sql\n\n-- why: CONCURRENTLY cannot run in a transaction\n  -- SKILL-METRICS: No-Transaction  \n\nVACUUM;\n',
      ],
      [
        'with a marker and CRLF',
        '\uFEFF-- skill-metrics: no-transaction\r\nVACUUM;\r\n-- Rollback migration\r\n',
      ],
    ])(
      'makes a migration non-transactional when it is a whole line before any SQL (%s)',
      (_, text) => {
        expect(parse(text).transactional).toBe(false)
      },
    )

    it.each([
      ['after SQL', 'VACUUM;\n-- skill-metrics: no-transaction\n'],
      ['as part of a line', '-- skill-metrics: no-transaction please\nVACUUM;\n'],
      ['after a block comment header', '/* header */\n-- skill-metrics: no-transaction\nVACUUM;\n'],
      [
        'in the rollback part',
        '-- Rollback migration\n-- skill-metrics: no-transaction\n-- DROP TABLE a;\n',
      ],
      ['misspelt', '-- skill-metrics: no transaction\nVACUUM;\n'],
    ])('does not count %s', (_, text) => {
      expect(parse(text).transactional).toBe(true)
    })
  })
})

describe('the optional directive', () => {
  const INDEXES =
    '-- why: nothing reads by x alone\nDROP INDEX IF EXISTS i;\n-- Rollback migration\n-- CREATE INDEX i ON a(x);\n'

  it('marks a version that only creates or drops indexes optional', () => {
    expect(parse(`-- skill-metrics: optional\n${INDEXES}`).optional).toBe(true)
    expect(
      parse('-- V7\n  -- SKILL-METRICS: Optional\nCREATE INDEX i ON a(x);\ndrop index j;\n')
        .optional,
    ).toBe(true)
    expect(parse(INDEXES).optional).toBe(false)
    expect(parse(`DROP INDEX i;\n-- skill-metrics: optional\n`).optional).toBe(false)
  })

  it.each([
    [
      'a table change',
      'CREATE INDEX i ON a(x);\nALTER TABLE a ADD COLUMN y INT;\n',
      'line 3',
      '"ALTER TABLE a ADD COLUMN y INT"',
    ],
    [
      'a UNIQUE index, a constraint writers would hit',
      'CREATE UNIQUE INDEX i ON a(x);\n',
      'line 2',
      '"CREATE UNIQUE INDEX i ON a(x)"',
    ],
    [
      'an UPDATE in the rollback part',
      'DROP INDEX i;\n-- Rollback migration\n-- UPDATE a SET x = 1;\n',
      'line 4',
      '"UPDATE a SET x = 1"',
    ],
  ])('refuses %s, naming the file, the line and the statement', (_, body, line, statement) => {
    const error = thrown(() => parse(`-- skill-metrics: optional\n${body}`))
    expect(error.message).toContain(source.path)
    expect(error.message).toContain(line)
    expect(error.message).toContain(
      `${statement}: a version marked "-- skill-metrics: optional" may only CREATE INDEX or DROP INDEX`,
    )
  })
})

describe('loadMigrationSources', () => {
  let dir: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'migration-file-'))
  })

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  async function files(entries: Record<string, string | Uint8Array>): Promise<void> {
    for (const [name, content] of Object.entries(entries)) {
      await mkdir(join(dir, name, '..'), { recursive: true })
      await writeFile(join(dir, name), content)
    }
  }

  const summary = (sources: MigrationSource[]) =>
    sources.map(({ version, description, scriptName, path, dialectSpecific }) => ({
      version,
      description,
      scriptName,
      path,
      dialectSpecific,
    }))

  it('reads the .sql files by ascending version, ignoring other files and folders', async () => {
    await files({
      'V10__ten.sql': 'SELECT 10;',
      'V2__two_words.sql': 'SELECT 2;\n-- Rollback migration\n-- SELECT -2;\n',
      'V1__one.sql': 'SELECT 1;',
      'README.md': '# not a migration',
      'notes.txt': 'V1 is first',
      'archive/V1__old.sql': 'SELECT 0;',
    })
    await mkdir(join(dir, 'V4__folder.sql'))
    const sources = await loadMigrationSources(dir, 'sqlite')
    expect(summary(sources)).toEqual([
      {
        version: 1,
        description: 'one',
        scriptName: 'V1__one.sql',
        path: join(dir, 'V1__one.sql'),
        dialectSpecific: false,
      },
      {
        version: 2,
        description: 'two words',
        scriptName: 'V2__two_words.sql',
        path: join(dir, 'V2__two_words.sql'),
        dialectSpecific: false,
      },
      {
        version: 10,
        description: 'ten',
        scriptName: 'V10__ten.sql',
        path: join(dir, 'V10__ten.sql'),
        dialectSpecific: false,
      },
    ])
    expect(sources[1]?.rollbackSql).toBe('SELECT -2;\n')
  })

  it('lets postgres/ replace a shared version and add its own, for PostgreSQL only', async () => {
    await files({
      'V1__one.sql': 'SELECT 1;',
      'V2__two.sql': 'SELECT 2;',
      'V3__three.sql': 'SELECT 3;',
      'postgres/V2__two.sql': 'SELECT 2::int;',
      'postgres/V4__pg_only.sql': 'SELECT 4;',
      'postgres/README.md': 'ignored',
    })
    const postgres = await loadMigrationSources(dir, 'postgres')
    expect(
      summary(postgres).map(({ version, path, dialectSpecific }) => [
        version,
        path,
        dialectSpecific,
      ]),
    ).toEqual([
      [1, join(dir, 'V1__one.sql'), false],
      [2, join(dir, 'postgres', 'V2__two.sql'), true],
      [3, join(dir, 'V3__three.sql'), false],
      [4, join(dir, 'postgres', 'V4__pg_only.sql'), true],
    ])
    expect(postgres[1]?.forwardSql).toBe('SELECT 2::int;')
    expect(postgres[1]?.scriptName).toBe('V2__two.sql')
    const sqlite = await loadMigrationSources(dir, 'sqlite')
    expect(sqlite.map((s) => [s.version, s.forwardSql])).toEqual([
      [1, 'SELECT 1;'],
      [2, 'SELECT 2;'],
      [3, 'SELECT 3;'],
    ])
  })

  it('needs no postgres/ folder', async () => {
    await files({ 'V1__one.sql': 'SELECT 1;' })
    expect((await loadMigrationSources(dir, 'postgres')).map((s) => s.version)).toEqual([1])
  })

  it('does not read postgres/ for SQLite, so its names are not checked there', async () => {
    await files({ 'V1__one.sql': 'SELECT 1;', 'postgres/bad.sql': '' })
    expect(await loadMigrationSources(dir, 'sqlite')).toHaveLength(1)
    expect((await rejection(loadMigrationSources(dir, 'postgres'))).location.file).toBe(
      join(dir, 'postgres', 'bad.sql'),
    )
  })

  it('returns nothing for an empty folder', async () => {
    expect(await loadMigrationSources(dir, 'postgres')).toEqual([])
  })

  it('refuses a missing folder or a file in its place', async () => {
    const missing = join(dir, 'missing')
    const error = await rejection(loadMigrationSources(missing, 'sqlite'))
    expect(error.location).toEqual({ file: missing })
    expect(error.message).toContain('does not exist')
    expect(error.exitCode).toBe(3)
    await files({ 'plain.txt': '' })
    expect(
      (await rejection(loadMigrationSources(join(dir, 'plain.txt'), 'sqlite'))).message,
    ).toContain('not a folder')
    await files({ 'V1__one.sql': '', postgres: 'a file, not a folder' })
    expect((await rejection(loadMigrationSources(dir, 'postgres'))).location.file).toBe(
      join(dir, 'postgres'),
    )
  })

  it.each(['V3_foo.sql', 'v3__x.sql', 'V3__.sql', 'V3__x-y.sql', 'V3__x.SQL', 'setup.sql'])(
    'refuses a .sql file named %s, naming it and the expected pattern',
    async (name) => {
      await files({ 'V1__one.sql': 'SELECT 1;', [name]: 'SELECT 3;' })
      const error = await rejection(loadMigrationSources(dir, 'sqlite'))
      expect(error.location).toEqual({ file: join(dir, name) })
      expect(error.message).toContain(`"${name}"`)
      expect(error.message).toContain('V<version>__<description>.sql')
      expect(error.nextStep).toBeDefined()
    },
  )

  it('refuses two files of one version in a folder, naming both', async () => {
    await files({ 'V1__one.sql': 'SELECT 1;', 'V001__uno.sql': 'SELECT 1;' })
    const error = await rejection(loadMigrationSources(dir, 'sqlite'))
    expect(error.location.file).toBe(join(dir, 'V1__one.sql'))
    expect(error.message).toContain(join(dir, 'V001__uno.sql'))
    expect(error.message).toContain('version 1')
  })

  it('refuses two files of one version in postgres/', async () => {
    await files({ 'V1__one.sql': '', 'postgres/V2__a.sql': '', 'postgres/V02__b.sql': '' })
    const error = await rejection(loadMigrationSources(dir, 'postgres'))
    expect(`${error.location.file} ${error.message}`).toContain(join(dir, 'postgres', 'V2__a.sql'))
    expect(`${error.location.file} ${error.message}`).toContain(join(dir, 'postgres', 'V02__b.sql'))
  })

  it('refuses a file that is not UTF-8, whose checksum would not be faithful', async () => {
    await files({ 'V1__one.sql': new Uint8Array([0x53, 0x45, 0xff, 0x3b]) })
    const error = await rejection(loadMigrationSources(dir, 'sqlite'))
    expect(error.location).toEqual({ file: join(dir, 'V1__one.sql') })
    expect(error.message).toContain('UTF-8')
  })

  it('gives a file saved with BOM and CRLF the checksums of its LF form', async () => {
    await files({
      'V1__lf.sql': FILE,
      'postgres/V1__crlf.sql': Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(FILE.replaceAll('\n', '\r\n')),
      ]),
    })
    const [lf] = await loadMigrationSources(dir, 'sqlite')
    const [crlf] = await loadMigrationSources(dir, 'postgres')
    expect(crlf?.path).toBe(join(dir, 'postgres', 'V1__crlf.sql'))
    expect(crlf?.forwardChecksum).toBe(lf?.forwardChecksum)
    expect(crlf?.rollbackChecksum).toBe(lf?.rollbackChecksum)
    expect(crlf?.forwardSql).toBe(FORWARD)
  })

  it('parses the repository migrations into statements without transaction control', async () => {
    const migrations = fileURLToPath(new URL('../../../../migrations', import.meta.url))
    for (const dialect of ['sqlite', 'postgres'] as const) {
      const sources = await loadMigrationSources(migrations, dialect)
      expect(sources.length).toBeGreaterThanOrEqual(3)
      expect(sources.map((s) => s.version)).toEqual(
        [...sources.map((s) => s.version)].sort((a, b) => a - b),
      )
      for (const migration of sources) {
        // PostgreSQL has its own copy of a version only where the SQL differs; V5 to V8 are shared.
        expect(migration.dialectSpecific).toBe(
          dialect === 'postgres' && ![5, 6, 7, 8].includes(migration.version),
        )
        const forward = splitSqlStatements(migration.forwardSql, dialect, migration.path)
        expect(forward.length).toBeGreaterThan(0)
        expect(findTransactionControl(forward)).toBeUndefined()
        expect(migration.rollbackSql).not.toBeNull()
        const rollback = splitSqlStatements(migration.rollbackSql ?? '', dialect, migration.path)
        expect(rollback.length).toBeGreaterThan(0)
        expect(rollback.every((statement) => !statement.sql.startsWith('--'))).toBe(true)
      }
    }
  })
})
