import { BadInputError } from '@skill-metrics/core'
import { describe, expect, it } from 'vitest'
import {
  findTransactionControl,
  type SqlDialect,
  type SqlStatement,
  splitSqlStatements,
} from './sql-splitter.js'

const sqls = (sql: string, dialect: SqlDialect = 'sqlite') =>
  splitSqlStatements(sql, dialect).map((statement) => statement.sql)

const bothDialects: SqlDialect[] = ['sqlite', 'postgres']

function thrown(run: () => unknown): BadInputError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(BadInputError)
    return error as BadInputError
  }
  throw new Error('expected a BadInputError, nothing was thrown')
}

describe('splitSqlStatements', () => {
  describe.each(bothDialects)('in %s', (dialect) => {
    it('splits on top-level semicolons, trims and drops the semicolon', () => {
      expect(
        sqls('  CREATE TABLE a (x INT);\n\nCREATE TABLE b (y INT) ;  SELECT 1', dialect),
      ).toEqual(['CREATE TABLE a (x INT)', 'CREATE TABLE b (y INT)', 'SELECT 1'])
    })

    it('drops empty statements and statements made only of comments', () => {
      expect(
        sqls(';;\n  ;\n-- only a comment;\n/* and; another */;\nSELECT 1;\n-- tail\n', dialect),
      ).toEqual(['SELECT 1'])
      expect(splitSqlStatements('', dialect)).toEqual([])
      expect(splitSqlStatements('-- nothing\n/* at all */\n', dialect)).toEqual([])
    })

    it('keeps inner comments but not the comments before or after a statement', () => {
      const script = [
        '-- header; with a semicolon',
        '/* block; comment */ CREATE TABLE a ( -- why; x',
        '  x INT /* inner; */',
        ') -- trailing',
        ';',
        'SELECT 1 -- last, no semicolon',
        '',
      ].join('\n')
      expect(sqls(script, dialect)).toEqual([
        'CREATE TABLE a ( -- why; x\n  x INT /* inner; */\n)',
        'SELECT 1',
      ])
    })

    it("ignores semicolons in '…' strings, with '' escapes", () => {
      expect(
        sqls("INSERT INTO t VALUES ('a;b', 'it''s; fine', '', ''''); SELECT ';'", dialect),
      ).toEqual(["INSERT INTO t VALUES ('a;b', 'it''s; fine', '', '''')", "SELECT ';'"])
    })

    it('does not take comment starts inside strings for comments', () => {
      expect(sqls("SELECT '-- no; comment', '/* no; */'; SELECT 2", dialect)).toEqual([
        "SELECT '-- no; comment', '/* no; */'",
        'SELECT 2',
      ])
    })

    it('does not take quotes inside comments for quotes', () => {
      expect(sqls('-- it\'s\nSELECT 1; /* "x */ SELECT 2; -- $$\nSELECT 3', dialect)).toEqual([
        'SELECT 1',
        'SELECT 2',
        'SELECT 3',
      ])
    })

    it('ignores semicolons in "…" identifiers, with "" escapes', () => {
      expect(sqls('CREATE TABLE "a;b" ("x""y;" INT); SELECT """";', dialect)).toEqual([
        'CREATE TABLE "a;b" ("x""y;" INT)',
        'SELECT """"',
      ])
    })

    it('splits BEGIN; … COMMIT; outside a trigger into three statements', () => {
      expect(sqls('BEGIN;\nCREATE TABLE a (x INT);\nCOMMIT;', dialect)).toEqual([
        'BEGIN',
        'CREATE TABLE a (x INT)',
        'COMMIT',
      ])
    })

    it('does not let CASE … END outside a body change anything', () => {
      expect(sqls('SELECT CASE WHEN 1 THEN 2 END; SELECT 3; END; SELECT 4', dialect)).toEqual([
        'SELECT CASE WHEN 1 THEN 2 END',
        'SELECT 3',
        'END',
        'SELECT 4',
      ])
    })

    it('reports the first line of an unterminated quote whose later lines double it', () => {
      for (const quote of ["'", '"']) {
        const script = `SELECT 1;\nSELECT ${quote}a\n${quote}${quote}b\n${quote}${quote};\n`
        expect(thrown(() => splitSqlStatements(script, dialect)).location.record).toBe('line 2')
      }
    })

    it('names the file and the line where an unterminated string starts', () => {
      const error = thrown(() =>
        splitSqlStatements("SELECT 1;\nSELECT 'open;\nSELECT 2;\n", dialect, 'V9__x.sql'),
      )
      expect(error.location).toEqual({ file: 'V9__x.sql', record: 'line 2' })
      expect(error.message).toBe(
        'V9__x.sql line 2: the string literal that starts here is never closed',
      )
      expect(error.exitCode).toBe(3)
    })

    it('names the line where an unterminated quoted identifier starts', () => {
      const error = thrown(() => splitSqlStatements('\n\nSELECT "open;\n\n', dialect, 'f.sql'))
      expect(error.location).toEqual({ file: 'f.sql', record: 'line 3' })
      expect(error.message).toContain('quoted identifier')
    })

    it('names the line where an unterminated block comment starts', () => {
      const error = thrown(() => splitSqlStatements('SELECT 1;\n/* open\n;\n', dialect))
      expect(error.location).toEqual({ file: '<sql>', record: 'line 2' })
      expect(error.message).toContain('block comment')
    })

    it('counts lines from firstLine when the text starts inside a file', () => {
      expect(splitSqlStatements('\nSELECT 1;\nSELECT 2', dialect, 'f.sql', 40)).toEqual([
        { sql: 'SELECT 1', line: 41 },
        { sql: 'SELECT 2', line: 42 },
      ])
      expect(thrown(() => splitSqlStatements("\n'", dialect, 'f.sql', 40)).location.record).toBe(
        'line 41',
      )
    })
  })

  describe('line numbers', () => {
    it('give the line of the first character that is neither blank nor comment', () => {
      const script = [
        '-- header', // 1
        '', // 2
        'CREATE TABLE a (', // 3
        "  x TEXT DEFAULT 'two", // 4
        "  lines'", // 5
        ');', // 6
        '/* a comment', // 7
        '   over lines */ SELECT "multi', // 8
        'line"; SELECT 2;', // 9
        '', // 10
        '   -- note', // 11
        '   SELECT 3', // 12
      ].join('\n')
      expect(splitSqlStatements(script, 'sqlite').map((statement) => statement.line)).toEqual([
        3, 8, 9, 12,
      ])
    })

    it('count CRLF as one line end and a lone CR as one', () => {
      expect(
        splitSqlStatements('SELECT 1;\r\n\r\nSELECT 2;\rSELECT 3', 'sqlite').map((s) => s.line),
      ).toEqual([1, 3, 4])
    })

    it('count the lines inside dollar quotes, E-strings and nested comments', () => {
      const script = [
        'DO $$', // 1
        'BEGIN', // 2
        'END $$;', // 3
        "SELECT E'a\\", // 4: an escaped line end
        "b';", // 5
        '/* x /* y', // 6
        '*/ */ SELECT 3', // 7
      ].join('\n')
      expect(splitSqlStatements(script, 'postgres').map((s) => s.line)).toEqual([1, 4, 7])
    })
  })

  describe('SQLite quoting', () => {
    it('ignores semicolons in `…` and […] identifiers', () => {
      expect(sqls('SELECT `a;b`, `c``;d`, [e;f] FROM t; SELECT 2', 'sqlite')).toEqual([
        'SELECT `a;b`, `c``;d`, [e;f] FROM t',
        'SELECT 2',
      ])
    })

    it('has no backslash escapes, E-strings or dollar quotes', () => {
      expect(sqls("SELECT E'a\\'; SELECT 2", 'sqlite')).toEqual(["SELECT E'a\\'", 'SELECT 2'])
      expect(sqls('SELECT $a, $$; SELECT 2', 'sqlite')).toEqual(['SELECT $a, $$', 'SELECT 2'])
    })

    it('ends a block comment at the first */ (no nesting)', () => {
      expect(sqls('/* a /* b */ SELECT 1; */ SELECT 2', 'sqlite')).toEqual([
        'SELECT 1',
        '*/ SELECT 2',
      ])
    })

    it('names the line of an unterminated `…` or […] identifier', () => {
      expect(
        thrown(() => splitSqlStatements('SELECT 1;\nSELECT `a;', 'sqlite')).location.record,
      ).toBe('line 2')
      const bracket = thrown(() => splitSqlStatements('\n\nSELECT [a;', 'sqlite'))
      expect(bracket.location.record).toBe('line 3')
      expect(bracket.message).toContain('bracketed identifier')
    })
  })

  describe('SQLite triggers', () => {
    it('keep BEGIN … END with several statements and CASE … END inside as one statement', () => {
      const trigger = [
        'CREATE TRIGGER trg_totals AFTER UPDATE ON skill_invocation',
        'WHEN CASE WHEN new.completed THEN 1 ELSE 0 END = 1',
        'BEGIN',
        "  UPDATE skill_metrics SET note = CASE WHEN new.duration_seconds > 1 THEN 'slow; end' ELSE 'fast' END",
        '   WHERE skill_name = new.skill_name;',
        "  INSERT INTO log VALUES ('END;'); -- END; in a comment",
        "  SELECT RAISE(ABORT, 'no') WHERE (SELECT CASE x WHEN 1 THEN 2 END FROM u) IS NULL;",
        'END',
      ].join('\n')
      const script = `${trigger};\nCREATE INDEX i ON t(x);`
      expect(splitSqlStatements(script, 'sqlite')).toEqual([
        { sql: trigger, line: 1 },
        { sql: 'CREATE INDEX i ON t(x)', line: 9 },
      ])
    })

    it('recognise TEMP and TEMPORARY triggers, in any case', () => {
      for (const create of ['CREATE TEMP TRIGGER', 'create temporary trigger if not exists']) {
        const trigger = `${create} t AFTER INSERT ON a BEGIN INSERT INTO b VALUES (1); DELETE FROM c; end`
        expect(sqls(`${trigger}; SELECT 1`, 'sqlite')).toEqual([trigger, 'SELECT 1'])
      }
    })

    it('end at the semicolon after the body', () => {
      expect(
        sqls('CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END; BEGIN; END', 'sqlite'),
      ).toEqual(['CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END', 'BEGIN', 'END'])
    })

    it('are not blocks in PostgreSQL, where a trigger has no body', () => {
      expect(
        sqls('CREATE TRIGGER t AFTER INSERT ON a EXECUTE FUNCTION f(); SELECT 1', 'postgres'),
      ).toEqual(['CREATE TRIGGER t AFTER INSERT ON a EXECUTE FUNCTION f()', 'SELECT 1'])
    })

    it('do not take BEGIN or END inside identifiers or strings for the body', () => {
      const trigger =
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN INSERT INTO \"end\" VALUES ('end', 'END'); UPDATE b SET begin_at = 1, ended = 2; END"
      expect(sqls(`${trigger}; SELECT 1`, 'sqlite')).toEqual([trigger, 'SELECT 1'])
    })
  })

  describe('PostgreSQL quoting', () => {
    it("ignores semicolons in E'…' strings with backslash escapes", () => {
      expect(
        sqls("SELECT E'it\\'s; here', e'a\\'; b', E'back\\\\', E'q''; q'; SELECT 2", 'postgres'),
      ).toEqual(["SELECT E'it\\'s; here', e'a\\'; b', E'back\\\\', E'q''; q'", 'SELECT 2'])
    })

    it('gives backslashes no meaning in a standard string, even after another word', () => {
      expect(sqls("SELECT 'C:\\'; SELECT date'2025\\'; SELECT 3", 'postgres')).toEqual([
        "SELECT 'C:\\'",
        "SELECT date'2025\\'",
        'SELECT 3',
      ])
    })

    it('ignores semicolons in $$ … $$ and $tag$ … $tag$, whose text may hold $', () => {
      const fn = [
        'CREATE FUNCTION f(a int) RETURNS text AS $fn$',
        "  SELECT '$' || $1 || '$$'; -- $x$ and $$ do not close it",
        '  SELECT $inner$ ; $inner$;',
        '$fn$ LANGUAGE sql',
      ].join('\n')
      expect(sqls(`DO $$ BEGIN PERFORM 1; END $$; ${fn}; SELECT 3`, 'postgres')).toEqual([
        'DO $$ BEGIN PERFORM 1; END $$',
        fn,
        'SELECT 3',
      ])
    })

    it('leaves $1 parameters and identifiers holding $ alone', () => {
      expect(
        sqls('PREPARE p AS SELECT $1, a$b$; SELECT x$ FROM t$1; SELECT 3', 'postgres'),
      ).toEqual(['PREPARE p AS SELECT $1, a$b$', 'SELECT x$ FROM t$1', 'SELECT 3'])
    })

    it('nests block comments', () => {
      expect(
        sqls('/* a /* b; */ still; comment */ SELECT 1; SELECT /* x /* y */ ; */ 2', 'postgres'),
      ).toEqual(['SELECT 1', 'SELECT /* x /* y */ ; */ 2'])
    })

    it('does not treat `…` or […] as quoting', () => {
      expect(sqls('SELECT arr[1]; SELECT `a; SELECT 3', 'postgres')).toEqual([
        'SELECT arr[1]',
        'SELECT `a',
        'SELECT 3',
      ])
    })

    it('keeps semicolons inside parentheses, as psql does (CREATE RULE … DO (…; …))', () => {
      const rule =
        'CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))'
      expect(sqls(`${rule}; SELECT 1`, 'postgres')).toEqual([rule, 'SELECT 1'])
      expect(sqls(`${rule}; SELECT 1`, 'sqlite')).toHaveLength(3)
    })

    it('keeps a BEGIN ATOMIC … END body, with CASE … END inside, as one statement', () => {
      const fn = [
        'CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql',
        'BEGIN /* why */ ATOMIC',
        '  SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END;',
        "  INSERT INTO log VALUES ('end;');",
        '  SELECT a + 1;',
        'END',
      ].join('\n')
      const procedure =
        'create procedure p() language sql begin atomic insert into t values (1); end'
      expect(splitSqlStatements(`${fn};\n${procedure};\nSELECT f(1);`, 'postgres')).toEqual([
        { sql: fn, line: 1 },
        { sql: procedure, line: 7 },
        { sql: 'SELECT f(1)', line: 8 },
      ])
    })

    it('opens a routine body only at BEGIN ATOMIC, not at a routine named atomic', () => {
      expect(
        sqls(
          'CREATE FUNCTION atomic() RETURNS int LANGUAGE sql RETURN 1; SELECT atomic()',
          'postgres',
        ),
      ).toEqual(['CREATE FUNCTION atomic() RETURNS int LANGUAGE sql RETURN 1', 'SELECT atomic()'])
    })

    it('names the line where an unterminated E-string, dollar quote or nested comment starts', () => {
      const eString = thrown(() => splitSqlStatements("SELECT 1;\nSELECT E'a\\';", 'postgres'))
      expect(eString.location.record).toBe('line 2')
      const dollar = thrown(() =>
        splitSqlStatements('SELECT 1;\n\nDO $body$ BEGIN END $$;\n$body;', 'postgres', 'V4__f.sql'),
      )
      expect(dollar.location).toEqual({ file: 'V4__f.sql', record: 'line 3' })
      expect(dollar.message).toContain('dollar-quoted string ($body$)')
      const nested = thrown(() => splitSqlStatements('SELECT 1;\n/* a /* b */\n*', 'postgres'))
      expect(nested.location.record).toBe('line 2')
      expect(nested.message).toContain('block comment')
    })
  })
})

describe('findTransactionControl', () => {
  const controls = [
    'BEGIN',
    'begin',
    'BEGIN TRANSACTION',
    'BEGIN WORK',
    'BEGIN DEFERRED',
    'BEGIN IMMEDIATE TRANSACTION',
    'Begin Exclusive',
    'START TRANSACTION',
    'start transaction isolation level serializable',
    'COMMIT',
    'COMMIT TRANSACTION',
    'COMMIT AND CHAIN',
    "COMMIT PREPARED 'x'",
    'END',
    'END TRANSACTION',
    'ROLLBACK',
    'ROLLBACK TO SAVEPOINT a',
    'rollback to a',
    'ABORT',
    'SAVEPOINT a',
    'RELEASE a',
    'RELEASE SAVEPOINT a',
    "PREPARE TRANSACTION 'x'",
  ]

  it.each(controls)('finds %s among other statements', (control) => {
    for (const dialect of bothDialects) {
      const statements = splitSqlStatements(
        `CREATE TABLE a (x INT);\n-- comment\n${control};\nSELECT 1;`,
        dialect,
      )
      expect(findTransactionControl(statements)).toEqual({ sql: control, line: 3 })
    }
  })

  it('looks past leading comments of a statement built elsewhere', () => {
    const statement: SqlStatement = { sql: '/* a /* b */ */ -- c\n  COMMIT', line: 7 }
    expect(findTransactionControl([{ sql: 'SELECT 1', line: 1 }, statement])).toBe(statement)
  })

  it('returns the first of several', () => {
    const statements = splitSqlStatements('SELECT 1; SAVEPOINT a; BEGIN; COMMIT', 'sqlite')
    expect(findTransactionControl(statements)?.sql).toBe('SAVEPOINT a')
  })

  it('finds nothing in ordinary statements', () => {
    expect(findTransactionControl([])).toBeUndefined()
    const script = [
      "SELECT 'BEGIN;'",
      'INSERT INTO t VALUES (\'COMMIT\'); SELECT "rollback" FROM t',
      'CREATE TABLE begin_log (ended INT, savepoint_at TEXT)',
      'UPDATE t SET ended = 1',
      'START_TIME_IS_A_WORD',
      'PREPARE p AS SELECT 1',
      '-- BEGIN;\nSELECT 2',
      '/* COMMIT; */ SELECT 3',
    ].join(';\n')
    for (const dialect of bothDialects) {
      expect(findTransactionControl(splitSqlStatements(script, dialect))).toBeUndefined()
    }
  })

  it('does not flag a trigger body or a BEGIN ATOMIC body', () => {
    const trigger = splitSqlStatements(
      'CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  UPDATE b SET n = n + 1;\nEND;',
      'sqlite',
    )
    expect(trigger).toHaveLength(1)
    expect(findTransactionControl(trigger)).toBeUndefined()
    const routine = splitSqlStatements(
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\nDO $$ BEGIN COMMIT; END $$;',
      'postgres',
    )
    expect(routine).toHaveLength(2)
    expect(findTransactionControl(routine)).toBeUndefined()
  })
})
