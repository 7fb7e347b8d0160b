// Why our own splitter and not dbgate-query-splitter (the well-kept one, used by DbGate): run on
// this file's 77 test cases (4.12.0, sqlite/postgre options, measured for issue 13) it passed 23.
// It splits a SQLite trigger's BEGIN … END body at its inner `;` (leaving "END" as a statement of
// its own), keeps comment-only pieces ("-- tail") as statements, nests no PostgreSQL block
// comments, and reports neither the line of a statement nor an unterminated string, quote or
// comment, which the runner's errors name. `$$` bodies it split correctly. A migration split
// wrongly runs half a trigger, so we keep the splitter that passes all of them.
import { BadInputError } from '@skill-metrics/core'

export type SqlDialect = 'sqlite' | 'postgres'

export interface SqlStatement {
  /** From the statement's first to its last character that is not blank or comment; no `;`. */
  sql: string
  /** 1-based line of the statement's first character that is not blank or comment. */
  line: number
}

/**
 * Splits a script into the statements a driver can run one at a time: on `;` outside strings,
 * quoted identifiers, dollar quotes, comments, trigger and `BEGIN ATOMIC` bodies (and, in
 * PostgreSQL, parentheses, as psql does). An unterminated construct is bad input naming the line
 * where it starts; `firstLine` is the line of `sql`'s first character within `file`.
 */
export function splitSqlStatements(
  sql: string,
  dialect: SqlDialect,
  file = '<sql>',
  firstLine = 1,
): SqlStatement[] {
  return new Scanner(sql, dialect, file, firstLine).statements()
}

/**
 * `sql` with each `?` placeholder numbered `$1`, `$2`… as PostgreSQL wants them, leaving alone a
 * `?` inside a string, a quoted identifier, a comment or a dollar-quoted body.
 */
export function numberPlaceholders(sql: string): string {
  const scanner = new Scanner(sql, 'postgres', '<query>', 1)
  scanner.statements()
  let numbered = ''
  let copied = 0
  scanner.placeholders.forEach((position, index) => {
    numbered += `${sql.slice(copied, position)}$${index + 1}`
    copied = position + 1
  })
  return numbered + sql.slice(copied)
}

const TRANSACTION_CONTROL = new Set([
  'ABORT',
  'BEGIN',
  'COMMIT',
  'END',
  'RELEASE',
  'ROLLBACK',
  'SAVEPOINT',
])

/**
 * The first statement that opens, ends or subdivides a transaction; the runner owns the
 * transaction a migration runs in, so a file must not. A statement is judged by its first words
 * only: a `BEGIN` inside a trigger body or a string is not the start of a statement.
 */
export function findTransactionControl(statements: SqlStatement[]): SqlStatement | undefined {
  return statements.find(({ sql }) => {
    const [first, second] = leadingWords(sql, 2)
    if (first === undefined) return false
    if (TRANSACTION_CONTROL.has(first)) return true
    return (first === 'START' || first === 'PREPARE') && second === 'TRANSACTION'
  })
}

/** The first statement that is not a plain `CREATE INDEX` or `DROP INDEX`. */
export function findNonIndexStatement(statements: SqlStatement[]): SqlStatement | undefined {
  return statements.find(({ sql }) => {
    const [first, second] = leadingWords(sql, 2)
    return !((first === 'CREATE' || first === 'DROP') && second === 'INDEX')
  })
}

type Block = 'trigger' | 'routine' | 'none'

class Scanner {
  readonly #text: string
  readonly #dialect: SqlDialect
  readonly #file: string
  readonly #result: SqlStatement[] = []
  /** Where a `?` stands outside every quoted construct and comment. */
  readonly placeholders: number[] = []
  #pos = 0
  #line: number
  // The statement being read: where its significant text starts and ends, its first words (to
  // recognise the kinds whose bodies hold `;`) and the depths that keep `;` from ending it.
  #start = -1
  #startLine = 0
  #end = 0
  #head: string[] = []
  #previousWord = ''
  #block: Block = 'none'
  #blockDepth = 0
  #parenDepth = 0

  constructor(text: string, dialect: SqlDialect, file: string, firstLine: number) {
    this.#text = text
    this.#dialect = dialect
    this.#file = file
    this.#line = firstLine
  }

  statements(): SqlStatement[] {
    const text = this.#text
    while (this.#pos < text.length) {
      const ch = text[this.#pos]!
      const next = text[this.#pos + 1]
      if (isBlank(ch)) this.#step()
      else if (ch === '-' && next === '-') this.#skipLineComment()
      else if (ch === '/' && next === '*') this.#skipBlockComment()
      else if (ch === ';' && this.#blockDepth === 0 && this.#parenDepth === 0) {
        this.#flush()
        this.#pos += 1
      } else this.#token(ch)
    }
    this.#flush()
    return this.#result
  }

  #token(ch: string): void {
    const start = this.#pos
    if (this.#start < 0) {
      this.#start = start
      this.#startLine = this.#line
    }
    const postgres = this.#dialect === 'postgres'
    if (ch === "'") this.#skipQuoted("'", 'string literal', false)
    else if (ch === '"') this.#skipQuoted('"', 'quoted identifier', false)
    else if (ch === '`' && !postgres) this.#skipQuoted('`', 'quoted identifier', false)
    else if (ch === '[' && !postgres) this.#skipQuoted(']', 'bracketed identifier', false)
    else if (ch === '$' && postgres && this.#dollarTag() !== undefined) this.#skipDollarQuote()
    else if (isWordStart(ch)) {
      const word = this.#readWord()
      // E'…' is PostgreSQL's string with backslash escapes, where \' does not end the string.
      if (postgres && (word === 'E' || word === 'e') && this.#text[this.#pos] === "'") {
        this.#skipQuoted("'", 'string literal', true)
      } else this.#onWord(word.toUpperCase())
    } else {
      if (ch === '?') this.placeholders.push(start)
      if (postgres && ch === '(') this.#parenDepth += 1
      else if (postgres && ch === ')') this.#parenDepth = Math.max(0, this.#parenDepth - 1)
      this.#pos += 1
    }
    this.#end = this.#pos
  }

  #onWord(word: string): void {
    if (this.#head.length < 4) {
      this.#head.push(word)
      this.#block = blockOf(this.#head, this.#dialect)
    }
    if (this.#block !== 'none') {
      // A trigger body is BEGIN … END; a routine body is BEGIN ATOMIC … END. Inside either, CASE …
      // END is the only other construct that ends with END, so counting both keeps the depth right.
      const opens =
        word === 'CASE' ||
        (this.#block === 'trigger' && word === 'BEGIN') ||
        (this.#block === 'routine' && word === 'ATOMIC' && this.#previousWord === 'BEGIN')
      if (opens) this.#blockDepth += 1
      else if (word === 'END') this.#blockDepth = Math.max(0, this.#blockDepth - 1)
    }
    this.#previousWord = word
  }

  #flush(): void {
    if (this.#start >= 0) {
      this.#result.push({ sql: this.#text.slice(this.#start, this.#end), line: this.#startLine })
    }
    this.#start = -1
    this.#head = []
    this.#previousWord = ''
    this.#block = 'none'
    this.#blockDepth = 0
    this.#parenDepth = 0
  }

  /** Moves past one character, counting lines (LF, CRLF or a lone CR). */
  #step(): void {
    const ch = this.#text[this.#pos]
    if (ch === '\n' || (ch === '\r' && this.#text[this.#pos + 1] !== '\n')) this.#line += 1
    this.#pos += 1
  }

  #skipLineComment(): void {
    while (this.#pos < this.#text.length && !isLineEnd(this.#text[this.#pos]!)) this.#pos += 1
  }

  #skipBlockComment(): void {
    const startLine = this.#line
    // PostgreSQL nests block comments; SQLite ends one at the first */.
    const nests = this.#dialect === 'postgres'
    let depth = 0
    while (this.#pos < this.#text.length) {
      const pair = this.#text.slice(this.#pos, this.#pos + 2)
      if (pair === '/*' && (nests || depth === 0)) {
        depth += 1
        this.#pos += 2
      } else if (pair === '*/') {
        depth -= 1
        this.#pos += 2
        if (depth === 0) return
      } else this.#step()
    }
    throw this.#unterminated('block comment', startLine)
  }

  /** From the opening quote (or, for E'…', from the quote after the E) past the closing one. */
  #skipQuoted(close: string, what: string, backslashEscapes: boolean): void {
    const startLine = this.#line
    this.#pos += 1
    while (this.#pos < this.#text.length) {
      const ch = this.#text[this.#pos]!
      if (backslashEscapes && ch === '\\') {
        this.#pos += 1
        if (this.#pos < this.#text.length) this.#step()
      } else if (ch === close) {
        this.#pos += 1
        // A doubled quote stands for itself; SQLite's [identifier] has no escape.
        if (close !== ']' && this.#text[this.#pos] === close) this.#pos += 1
        else return
      } else this.#step()
    }
    throw this.#unterminated(what, startLine)
  }

  #dollarTag(): string | undefined {
    DOLLAR_TAG.lastIndex = this.#pos
    return DOLLAR_TAG.exec(this.#text)?.[0]
  }

  #skipDollarQuote(): void {
    const startLine = this.#line
    const tag = this.#dollarTag()!
    const close = this.#text.indexOf(tag, this.#pos + tag.length)
    if (close < 0) throw this.#unterminated(`dollar-quoted string (${tag})`, startLine)
    while (this.#pos < close + tag.length) this.#step()
  }

  #readWord(): string {
    const start = this.#pos
    while (this.#pos < this.#text.length && isWordPart(this.#text[this.#pos]!)) this.#pos += 1
    return this.#text.slice(start, this.#pos)
  }

  #unterminated(what: string, line: number): BadInputError {
    return new BadInputError(
      { file: this.#file, record: `line ${line}` },
      `the ${what} that starts here is never closed`,
    )
  }
}

// A tag follows the rules of an unquoted identifier without `$`; `$1` is a parameter, not a tag.
// The scanner reads `$` inside a word as part of the word, so a tag never starts mid-identifier.
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y

function blockOf(head: string[], dialect: SqlDialect): Block {
  if (head[0] !== 'CREATE') return 'none'
  if (dialect === 'sqlite') {
    const at = head[1] === 'TEMP' || head[1] === 'TEMPORARY' ? 2 : 1
    return head[at] === 'TRIGGER' ? 'trigger' : 'none'
  }
  const at = head[1] === 'OR' && head[2] === 'REPLACE' ? 3 : 1
  return head[at] === 'FUNCTION' || head[at] === 'PROCEDURE' ? 'routine' : 'none'
}

/** The first `count` words of a statement, upper-cased, past any leading blanks and comments. */
function leadingWords(sql: string, count: number): string[] {
  const words: string[] = []
  let pos = 0
  while (words.length < count && pos < sql.length) {
    const ch = sql[pos]!
    if (isBlank(ch)) pos += 1
    else if (sql.startsWith('--', pos)) {
      while (pos < sql.length && !isLineEnd(sql[pos]!)) pos += 1
    } else if (sql.startsWith('/*', pos)) {
      let depth = 0
      do {
        if (sql.startsWith('/*', pos)) {
          depth += 1
          pos += 2
        } else if (sql.startsWith('*/', pos)) {
          depth -= 1
          pos += 2
        } else pos += 1
      } while (depth > 0 && pos < sql.length)
    } else if (isWordStart(ch)) {
      const start = pos
      while (pos < sql.length && isWordPart(sql[pos]!)) pos += 1
      words.push(sql.slice(start, pos).toUpperCase())
    } else break
  }
  return words
}

function isBlank(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v'
}

function isLineEnd(ch: string): boolean {
  return ch === '\n' || ch === '\r'
}

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9'
}

function isWordStart(ch: string): boolean {
  return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch === '_' || ch >= '\u0080'
}

function isWordPart(ch: string): boolean {
  return isWordStart(ch) || isDigit(ch) || ch === '$'
}
