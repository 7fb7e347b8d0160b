import {
  BadInputError,
  BugError,
  DEFAULT_CONNECT_TIMEOUT_MS,
  INVOCATION_FIELDS,
  InconsistencyError,
  InvocationIdAssigner,
  LockTimeoutError,
  PHASES,
  RefusedError,
  StaleEpochError,
  UsageError,
  applyCompletion,
  asOpenFailure,
  averageDuration,
  completerOnce,
  completerRan,
  completionRate,
  createFileIfMissing,
  exportPieces,
  invocationId,
  naiveSecondsBetween,
  parseCounter,
  percentiles,
  renderReport,
  sameInvocation,
  sqliteUnavailable,
  stringifyCounter,
  summarize,
  systemClock,
  toNaiveLocalIso,
  toSkillMetrics,
  writeFileDurably
} from "./chunk-IJ4VH45E.js";

// ../../packages/db-store/dist/data-source.js
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
var SQLITE_BUSY_TIMEOUT_MS = 1e4;
async function switchToWal(database) {
  const deadline = Date.now() + SQLITE_BUSY_TIMEOUT_MS;
  for (; ; ) {
    try {
      database.pragma("journal_mode = WAL");
      return;
    } catch (error) {
      if (error.code !== "SQLITE_BUSY" || Date.now() > deadline)
        throw error;
      await sleep(5 + Math.random() * 20);
    }
  }
}
function loadTypeorm() {
  return import("typeorm");
}
async function createDataSource(target, options = {}) {
  const { DataSource } = await loadTypeorm();
  if (target.dialect === "sqlite") {
    const readOnly = options.readOnly === true && !target.inMemory;
    if (!target.inMemory && !readOnly) {
      mkdirSync(dirname(target.path), { recursive: true });
      createFileIfMissing(target.path, target.fileMode);
    }
    return new DataSource({
      type: "better-sqlite3",
      database: target.path,
      readonly: readOnly,
      fileMustExist: readOnly,
      timeout: options.busyTimeoutMs ?? SQLITE_BUSY_TIMEOUT_MS,
      ...readOnly || target.inMemory ? {} : { prepareDatabase: switchToWal }
    });
  }
  return new DataSource({
    type: "postgres",
    url: target.url,
    poolSize: options.poolSize ?? 10,
    applicationName: "skill-metrics",
    connectTimeoutMS: target.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    ...target.schema === void 0 ? {} : { schema: target.schema },
    extra: target.schema === void 0 ? {} : { options: `-c search_path=${target.schema}` }
  });
}
async function openDataSource(target, options = {}) {
  try {
    return await (await createDataSource(target, options)).initialize();
  } catch (error) {
    throw asOpenFailure(error, target);
  }
}

// ../../packages/db-store/dist/phases/phase-store.js
import { existsSync as existsSync3 } from "node:fs";
import { setTimeout as sleep3 } from "node:timers/promises";

// ../../packages/db-store/dist/schema/bookkeeping.js
function bookkeepingDdl(dialect) {
  const real = dialect === "postgres" ? "DOUBLE PRECISION" : "REAL";
  const serial = dialect === "postgres" ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";
  return [
    `CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      description TEXT NOT NULL,
      script TEXT NOT NULL,
      checksum TEXT NOT NULL,
      rollback_checksum TEXT,
      rollback_sql TEXT,
      applied_at TEXT NOT NULL,
      migration_time_ms ${real},
      success BOOLEAN NOT NULL,
      installed_by TEXT,
      kind TEXT NOT NULL DEFAULT 'migrate',
      failed_statement INTEGER,
      statements_applied INTEGER,
      error TEXT
    )`,
    `CREATE TABLE IF NOT EXISTS schema_migrations_audit (
      id ${serial},
      at TEXT NOT NULL,
      actor TEXT,
      action TEXT NOT NULL,
      version INTEGER,
      detail TEXT
    )`
  ];
}
async function ensureBookkeeping(session) {
  for (const statement of bookkeepingDdl(session.dialect))
    await session.execute(statement);
}
async function tableExists(session, table) {
  const rows = session.dialect === "sqlite" ? await session.rows(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`, [table]) : await session.rows(`SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?`, [table]);
  return rows.length > 0;
}
async function readHistory(session) {
  if (!await tableExists(session, "schema_migrations"))
    return [];
  const rows = await session.rows("SELECT * FROM schema_migrations ORDER BY version");
  return rows.map((row) => ({
    ...row,
    success: Boolean(row.success),
    version: Number(row.version)
  }));
}
async function insertHistory(session, row) {
  await session.rows(`INSERT INTO schema_migrations (version, description, script, checksum, rollback_checksum,
       rollback_sql, applied_at, migration_time_ms, success, installed_by, kind, failed_statement,
       statements_applied, error)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    row.version,
    row.description,
    row.script,
    row.checksum,
    row.rollback_checksum,
    row.rollback_sql,
    row.applied_at,
    row.migration_time_ms,
    session.dialect === "sqlite" ? Number(row.success) : row.success,
    row.installed_by,
    row.kind,
    row.failed_statement,
    row.statements_applied,
    row.error
  ]);
}
async function audit(session, actor, action, version, detail) {
  await session.rows("INSERT INTO schema_migrations_audit (at, actor, action, version, detail) VALUES (?, ?, ?, ?, ?)", [(/* @__PURE__ */ new Date()).toISOString(), actor, action, version, detail]);
}
function rowOfSource(source, actor) {
  return {
    version: source.version,
    description: source.description,
    script: source.scriptName,
    checksum: source.forwardChecksum,
    rollback_checksum: source.rollbackChecksum,
    rollback_sql: source.rollbackSql,
    applied_at: (/* @__PURE__ */ new Date()).toISOString(),
    migration_time_ms: null,
    success: true,
    installed_by: actor,
    kind: "migrate",
    failed_statement: null,
    statements_applied: null,
    error: null
  };
}
function sourceOfRow(row) {
  return {
    version: row.version,
    description: row.description,
    scriptName: row.script,
    path: `schema_migrations V${row.version} (${row.script})`,
    dialectSpecific: false,
    forwardSql: "",
    rollbackSql: row.rollback_sql,
    forwardChecksum: row.checksum,
    rollbackChecksum: row.rollback_checksum,
    transactional: true,
    optional: false
  };
}
async function forgetVersion(session, actor, row) {
  await session.rows("DELETE FROM schema_migrations WHERE version = ?", [row.version]);
  await audit(session, actor, "rollback", row.version, `undid ${row.script}`);
}
async function clearFailedRow(session, actor, row) {
  await session.rows("DELETE FROM schema_migrations WHERE version = ? AND success = ?", [
    row.version,
    session.dialect === "sqlite" ? 0 : false
  ]);
  await audit(session, actor, "repair-clear-failed", row.version, JSON.stringify(row));
}
async function realignRow(session, actor, source, before) {
  await session.rows("UPDATE schema_migrations SET checksum = ?, rollback_checksum = ?, rollback_sql = ?, description = ?, script = ? WHERE version = ?", [
    source.forwardChecksum,
    source.rollbackChecksum,
    source.rollbackSql,
    source.description,
    source.scriptName,
    source.version
  ]);
  await audit(session, actor, "repair-realign", source.version, JSON.stringify({
    before: { checksum: before.checksum, rollback_checksum: before.rollback_checksum },
    after: { checksum: source.forwardChecksum, rollback_checksum: source.rollbackChecksum }
  }));
}

// ../../packages/db-store/dist/schema/schema-gate.js
import { constants, existsSync as existsSync2 } from "node:fs";
import { access, stat } from "node:fs/promises";
import { dirname as dirname2 } from "node:path";

// ../../packages/db-store/dist/schema/schema-runner.js
import { existsSync } from "node:fs";
import { userInfo } from "node:os";
import { fileURLToPath } from "node:url";

// ../../packages/db-store/dist/schema/migration-file.js
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

// ../../packages/db-store/dist/schema/sql-splitter.js
function splitSqlStatements(sql, dialect, file = "<sql>", firstLine = 1) {
  return new Scanner(sql, dialect, file, firstLine).statements();
}
function numberPlaceholders(sql) {
  const scanner = new Scanner(sql, "postgres", "<query>", 1);
  scanner.statements();
  let numbered = "";
  let copied = 0;
  scanner.placeholders.forEach((position, index) => {
    numbered += `${sql.slice(copied, position)}$${index + 1}`;
    copied = position + 1;
  });
  return numbered + sql.slice(copied);
}
var TRANSACTION_CONTROL = /* @__PURE__ */ new Set([
  "ABORT",
  "BEGIN",
  "COMMIT",
  "END",
  "RELEASE",
  "ROLLBACK",
  "SAVEPOINT"
]);
function findTransactionControl(statements) {
  return statements.find(({ sql }) => {
    const [first, second] = leadingWords(sql, 2);
    if (first === void 0)
      return false;
    if (TRANSACTION_CONTROL.has(first))
      return true;
    return (first === "START" || first === "PREPARE") && second === "TRANSACTION";
  });
}
function findNonIndexStatement(statements) {
  return statements.find(({ sql }) => {
    const [first, second] = leadingWords(sql, 2);
    return !((first === "CREATE" || first === "DROP") && second === "INDEX");
  });
}
var Scanner = class {
  #text;
  #dialect;
  #file;
  #result = [];
  /** Where a `?` stands outside every quoted construct and comment. */
  placeholders = [];
  #pos = 0;
  #line;
  // The statement being read: where its significant text starts and ends, its first words (to
  // recognise the kinds whose bodies hold `;`) and the depths that keep `;` from ending it.
  #start = -1;
  #startLine = 0;
  #end = 0;
  #head = [];
  #previousWord = "";
  #block = "none";
  #blockDepth = 0;
  #parenDepth = 0;
  constructor(text, dialect, file, firstLine) {
    this.#text = text;
    this.#dialect = dialect;
    this.#file = file;
    this.#line = firstLine;
  }
  statements() {
    const text = this.#text;
    while (this.#pos < text.length) {
      const ch = text[this.#pos];
      const next = text[this.#pos + 1];
      if (isBlank(ch))
        this.#step();
      else if (ch === "-" && next === "-")
        this.#skipLineComment();
      else if (ch === "/" && next === "*")
        this.#skipBlockComment();
      else if (ch === ";" && this.#blockDepth === 0 && this.#parenDepth === 0) {
        this.#flush();
        this.#pos += 1;
      } else
        this.#token(ch);
    }
    this.#flush();
    return this.#result;
  }
  #token(ch) {
    const start = this.#pos;
    if (this.#start < 0) {
      this.#start = start;
      this.#startLine = this.#line;
    }
    const postgres = this.#dialect === "postgres";
    if (ch === "'")
      this.#skipQuoted("'", "string literal", false);
    else if (ch === '"')
      this.#skipQuoted('"', "quoted identifier", false);
    else if (ch === "`" && !postgres)
      this.#skipQuoted("`", "quoted identifier", false);
    else if (ch === "[" && !postgres)
      this.#skipQuoted("]", "bracketed identifier", false);
    else if (ch === "$" && postgres && this.#dollarTag() !== void 0)
      this.#skipDollarQuote();
    else if (isWordStart(ch)) {
      const word = this.#readWord();
      if (postgres && (word === "E" || word === "e") && this.#text[this.#pos] === "'") {
        this.#skipQuoted("'", "string literal", true);
      } else
        this.#onWord(word.toUpperCase());
    } else {
      if (ch === "?")
        this.placeholders.push(start);
      if (postgres && ch === "(")
        this.#parenDepth += 1;
      else if (postgres && ch === ")")
        this.#parenDepth = Math.max(0, this.#parenDepth - 1);
      this.#pos += 1;
    }
    this.#end = this.#pos;
  }
  #onWord(word) {
    if (this.#head.length < 4) {
      this.#head.push(word);
      this.#block = blockOf(this.#head, this.#dialect);
    }
    if (this.#block !== "none") {
      const opens = word === "CASE" || this.#block === "trigger" && word === "BEGIN" || this.#block === "routine" && word === "ATOMIC" && this.#previousWord === "BEGIN";
      if (opens)
        this.#blockDepth += 1;
      else if (word === "END")
        this.#blockDepth = Math.max(0, this.#blockDepth - 1);
    }
    this.#previousWord = word;
  }
  #flush() {
    if (this.#start >= 0) {
      this.#result.push({ sql: this.#text.slice(this.#start, this.#end), line: this.#startLine });
    }
    this.#start = -1;
    this.#head = [];
    this.#previousWord = "";
    this.#block = "none";
    this.#blockDepth = 0;
    this.#parenDepth = 0;
  }
  /** Moves past one character, counting lines (LF, CRLF or a lone CR). */
  #step() {
    const ch = this.#text[this.#pos];
    if (ch === "\n" || ch === "\r" && this.#text[this.#pos + 1] !== "\n")
      this.#line += 1;
    this.#pos += 1;
  }
  #skipLineComment() {
    while (this.#pos < this.#text.length && !isLineEnd(this.#text[this.#pos]))
      this.#pos += 1;
  }
  #skipBlockComment() {
    const startLine = this.#line;
    const nests = this.#dialect === "postgres";
    let depth = 0;
    while (this.#pos < this.#text.length) {
      const pair = this.#text.slice(this.#pos, this.#pos + 2);
      if (pair === "/*" && (nests || depth === 0)) {
        depth += 1;
        this.#pos += 2;
      } else if (pair === "*/") {
        depth -= 1;
        this.#pos += 2;
        if (depth === 0)
          return;
      } else
        this.#step();
    }
    throw this.#unterminated("block comment", startLine);
  }
  /** From the opening quote (or, for E'…', from the quote after the E) past the closing one. */
  #skipQuoted(close, what, backslashEscapes) {
    const startLine = this.#line;
    this.#pos += 1;
    while (this.#pos < this.#text.length) {
      const ch = this.#text[this.#pos];
      if (backslashEscapes && ch === "\\") {
        this.#pos += 1;
        if (this.#pos < this.#text.length)
          this.#step();
      } else if (ch === close) {
        this.#pos += 1;
        if (close !== "]" && this.#text[this.#pos] === close)
          this.#pos += 1;
        else
          return;
      } else
        this.#step();
    }
    throw this.#unterminated(what, startLine);
  }
  #dollarTag() {
    DOLLAR_TAG.lastIndex = this.#pos;
    return DOLLAR_TAG.exec(this.#text)?.[0];
  }
  #skipDollarQuote() {
    const startLine = this.#line;
    const tag = this.#dollarTag();
    const close = this.#text.indexOf(tag, this.#pos + tag.length);
    if (close < 0)
      throw this.#unterminated(`dollar-quoted string (${tag})`, startLine);
    while (this.#pos < close + tag.length)
      this.#step();
  }
  #readWord() {
    const start = this.#pos;
    while (this.#pos < this.#text.length && isWordPart(this.#text[this.#pos]))
      this.#pos += 1;
    return this.#text.slice(start, this.#pos);
  }
  #unterminated(what, line) {
    return new BadInputError({ file: this.#file, record: `line ${line}` }, `the ${what} that starts here is never closed`);
  }
};
var DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;
function blockOf(head, dialect) {
  if (head[0] !== "CREATE")
    return "none";
  if (dialect === "sqlite") {
    const at2 = head[1] === "TEMP" || head[1] === "TEMPORARY" ? 2 : 1;
    return head[at2] === "TRIGGER" ? "trigger" : "none";
  }
  const at = head[1] === "OR" && head[2] === "REPLACE" ? 3 : 1;
  return head[at] === "FUNCTION" || head[at] === "PROCEDURE" ? "routine" : "none";
}
function leadingWords(sql, count) {
  const words = [];
  let pos = 0;
  while (words.length < count && pos < sql.length) {
    const ch = sql[pos];
    if (isBlank(ch))
      pos += 1;
    else if (sql.startsWith("--", pos)) {
      while (pos < sql.length && !isLineEnd(sql[pos]))
        pos += 1;
    } else if (sql.startsWith("/*", pos)) {
      let depth = 0;
      do {
        if (sql.startsWith("/*", pos)) {
          depth += 1;
          pos += 2;
        } else if (sql.startsWith("*/", pos)) {
          depth -= 1;
          pos += 2;
        } else
          pos += 1;
      } while (depth > 0 && pos < sql.length);
    } else if (isWordStart(ch)) {
      const start = pos;
      while (pos < sql.length && isWordPart(sql[pos]))
        pos += 1;
      words.push(sql.slice(start, pos).toUpperCase());
    } else
      break;
  }
  return words;
}
function isBlank(ch) {
  return ch === " " || ch === "	" || ch === "\n" || ch === "\r" || ch === "\f" || ch === "\v";
}
function isLineEnd(ch) {
  return ch === "\n" || ch === "\r";
}
function isDigit(ch) {
  return ch >= "0" && ch <= "9";
}
function isWordStart(ch) {
  return ch >= "A" && ch <= "Z" || ch >= "a" && ch <= "z" || ch === "_" || ch >= "\x80";
}
function isWordPart(ch) {
  return isWordStart(ch) || isDigit(ch) || ch === "$";
}

// ../../packages/db-store/dist/schema/migration-file.js
var ROLLBACK_MARKER = "-- Rollback migration";
var NO_TRANSACTION_DIRECTIVE = "-- skill-metrics: no-transaction";
var OPTIONAL_DIRECTIVE = "-- skill-metrics: optional";
var FILE_NAME = /^V(\d+)__([A-Za-z0-9_]+)\.sql$/;
var EXPECTED_NAME = "V<version>__<description>.sql, the description made of letters, digits and underscores (e.g. V2__add_percentile_fields.sql)";
var MAX_VERSION = 2147483647;
function parseMigrationFileName(name) {
  const match = FILE_NAME.exec(name);
  const [, digits, description] = match ?? [];
  if (digits === void 0 || description === void 0)
    return void 0;
  const version = Number(digits);
  if (version > MAX_VERSION)
    return void 0;
  return { version, description: description.replaceAll("_", " ") };
}
function checksumOf(text) {
  return createHash("sha256").update(normalise(text), "utf8").digest("hex");
}
function parseMigrationText(text, source) {
  const lines = normalise(text).split("\n");
  const markers = lines.flatMap((line, index) => isMarker(line) ? [index] : []);
  const [marker, second] = markers;
  if (marker !== void 0 && second !== void 0) {
    throw new BadInputError({ file: source.path, record: `line ${second + 1}` }, `a second "${ROLLBACK_MARKER}" line (the first is line ${marker + 1}); a file holds one forward part and one rollback part`, { nextStep: "Keep one marker line between the forward SQL and the rollback SQL." });
  }
  const forwardSql = marker === void 0 ? lines.join("\n") : lines.slice(0, marker).map((line) => `${line}
`).join("");
  const rollbackPart = marker === void 0 ? null : lines.slice(marker + 1).join("\n");
  const rollbackSql = rollbackPart === null ? null : uncomment(rollbackPart);
  const heading = marker === void 0 ? lines : lines.slice(0, marker);
  const optional = hasDirective(heading, OPTIONAL_DIRECTIVE);
  if (optional) {
    requireIndexesOnly(source, forwardSql, 1);
    if (rollbackSql !== null)
      requireIndexesOnly(source, rollbackSql, marker + 2, " (rollback part)");
  }
  return {
    version: source.version,
    description: source.description,
    scriptName: source.scriptName,
    path: source.path,
    dialectSpecific: source.dialectSpecific,
    forwardSql,
    rollbackSql: rollbackSql === null || rollbackSql.trim() === "" ? null : rollbackSql,
    forwardChecksum: checksumOf(forwardSql),
    rollbackChecksum: rollbackPart === null ? null : checksumOf(rollbackPart),
    transactional: !hasDirective(heading, NO_TRANSACTION_DIRECTIVE),
    optional
  };
}
function requireIndexesOnly(source, sql, firstLine, part = "") {
  const dialect = source.dialectSpecific ? "postgres" : "sqlite";
  const file = `${source.path}${part}`;
  const other = findNonIndexStatement(splitSqlStatements(sql, dialect, file, firstLine));
  if (other === void 0)
    return;
  throw new BadInputError({ file, record: `line ${other.line}` }, `${JSON.stringify(other.sql.split("\n")[0])}: a version marked "${OPTIONAL_DIRECTIVE}" may only CREATE INDEX or DROP INDEX (not UNIQUE), since the store opens while it is pending`, {
    nextStep: `Move the statement into a version without the directive, or remove the "${OPTIONAL_DIRECTIVE}" line.`
  });
}
async function loadMigrationSources(dir, dialect) {
  const byVersion = /* @__PURE__ */ new Map();
  for (const source of await readFolder(dir, false))
    byVersion.set(source.version, source);
  if (dialect === "postgres") {
    for (const source of await readFolder(join(dir, "postgres"), true)) {
      byVersion.set(source.version, source);
    }
  }
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}
async function readFolder(folder, dialectSpecific) {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    if (dialectSpecific && errorCode(error) === "ENOENT")
      return [];
    const problem = errorCode(error) === "ENOENT" ? "the migrations folder does not exist" : errorCode(error) === "ENOTDIR" ? "the migrations folder is not a folder" : "the migrations folder cannot be read";
    throw new BadInputError({ file: folder }, problem, { cause: error });
  }
  const files = [];
  const byVersion = /* @__PURE__ */ new Map();
  const names = entries.filter((entry) => !entry.isDirectory() && entry.name.toLowerCase().endsWith(".sql")).map((entry) => entry.name).sort();
  for (const scriptName of names) {
    const path = join(folder, scriptName);
    const parsed = parseMigrationFileName(scriptName);
    if (parsed === void 0) {
      throw new BadInputError({ file: path }, `"${scriptName}" is not a migration file name: expected ${EXPECTED_NAME}`, { nextStep: "Rename the file, or move it out of the migrations folder." });
    }
    const other = byVersion.get(parsed.version);
    if (other !== void 0) {
      throw new BadInputError({ file: path }, `version ${parsed.version} is also the version of ${join(folder, other)}; each version has one file`, { nextStep: "Give one of the two files the next unused version." });
    }
    byVersion.set(parsed.version, scriptName);
    files.push({ scriptName, path, dialectSpecific, ...parsed });
  }
  return Promise.all(files.map(async (file) => parseMigrationText(await readText(file.path), file)));
}
var UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
async function readText(path) {
  let bytes;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new BadInputError({ file: path }, "the migration file cannot be read", { cause: error });
  }
  try {
    return UTF8.decode(bytes);
  } catch (error) {
    throw new BadInputError({ file: path }, "the migration file is not UTF-8 text", {
      cause: error
    });
  }
}
function normalise(text) {
  return (text.startsWith("\uFEFF") ? text.slice(1) : text).replace(/\r\n?/g, "\n");
}
function isMarker(line) {
  return line.trim().toLowerCase() === ROLLBACK_MARKER.toLowerCase();
}
function uncomment(part) {
  const lines = part.split("\n");
  const written = lines.filter((line) => line.trim() !== "");
  if (!written.every((line) => line.startsWith("-- ")))
    return part;
  return lines.map((line) => line.trim() === "" ? line : line.slice(3)).join("\n");
}
function hasDirective(lines, directive) {
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed.toLowerCase() === directive)
      return true;
    if (trimmed !== "" && !trimmed.startsWith("--"))
      return false;
  }
  return false;
}
function errorCode(error) {
  return error instanceof Error && "code" in error ? error.code : void 0;
}

// ../../packages/db-store/dist/schema/schema-lock.js
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { setTimeout as sleep2 } from "node:timers/promises";
var SQLITE_LOCK_LEASE_MS = 3e4;
var SQLITE_LOCK_REFRESH_MS = 5e3;
async function acquireSchemaLock(session, owner, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const attempt = session.dialect === "postgres" ? tryPostgres : trySqlite;
  const token = `${owner} [${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}]`;
  for (let round = 0; ; round += 1) {
    const lock = await attempt(session, token);
    if (lock !== void 0)
      return lock;
    if (Date.now() >= deadline) {
      const holder = session.dialect === "sqlite" ? await sqliteHolder(session) : "another runner";
      throw new LockTimeoutError(`the schema lock is held by ${holder}; gave up after ${timeoutMs} ms`, {
        nextStep: session.dialect === "sqlite" ? `Wait for the other runner to finish; a lock left by a killed runner expires ${SQLITE_LOCK_LEASE_MS / 1e3} s after its last refresh.` : "Wait for the other runner to finish; PostgreSQL releases the lock of a runner that died."
      });
    }
    await sleep2(Math.min(10 * 2 ** round, 250) * (0.5 + Math.random()));
  }
}
var ADVISORY_KEY = `hashtext('skill-metrics:schema:' || current_schema())`;
async function tryPostgres(session) {
  const [row] = await session.rows(`SELECT pg_try_advisory_lock(${ADVISORY_KEY}) AS locked`);
  if (row?.locked !== true)
    return void 0;
  return {
    release: async () => {
      await session.rows(`SELECT pg_advisory_unlock(${ADVISORY_KEY})`);
    }
  };
}
async function trySqlite(session, token) {
  await session.execute("CREATE TABLE IF NOT EXISTS schema_lock (id INTEGER PRIMARY KEY CHECK (id = 1), owner TEXT NOT NULL, expires_at INTEGER NOT NULL)");
  const now = Date.now();
  await session.rows(`INSERT INTO schema_lock (id, owner, expires_at) VALUES (1, ?, ?)
     ON CONFLICT(id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
     WHERE schema_lock.expires_at < ?`, [token, now + SQLITE_LOCK_LEASE_MS, now]);
  if (await sqliteHolder(session) !== token)
    return void 0;
  const refresh = setInterval(() => {
    session.rows("UPDATE schema_lock SET expires_at = ? WHERE id = 1 AND owner = ?", [
      Date.now() + SQLITE_LOCK_LEASE_MS,
      token
    ]).catch(() => {
    });
  }, SQLITE_LOCK_REFRESH_MS);
  refresh.unref();
  return {
    release: async () => {
      clearInterval(refresh);
      await session.rows("DELETE FROM schema_lock WHERE id = 1 AND owner = ?", [token]);
    }
  };
}
async function sqliteHolder(session) {
  const [row] = await session.rows("SELECT owner FROM schema_lock WHERE id = 1");
  return row?.owner;
}

// ../../packages/db-store/dist/schema/schema-messages.js
function migrationFailed(source, step, statement, error, transactional) {
  const where = statement === null ? "after its last statement" : `at statement ${statement} of ${step.statements.length} (${JSON.stringify(step.statements[statement - 1].split("\n")[0])})`;
  const outcome = transactional ? "The schema is as it was before; the failure is recorded." : `The file is marked no-transaction: statements 1..${(statement ?? 1) - 1} stayed applied. Undo or finish them by hand.`;
  return new RefusedError(`${source.scriptName} failed ${where}: ${error.message}. ${outcome}`, {
    cause: error,
    nextStep: `Fix ${source.path}, then run: skill-metrics schema repair && skill-metrics schema migrate`
  });
}
function failedRefusal(failed) {
  return new RefusedError(`${failed.script} failed on an earlier run and blocks further migrations`, {
    nextStep: "Fix the file (see: skill-metrics schema status), then run: skill-metrics schema repair"
  });
}
var short = (checksum) => checksum === null ? "none" : checksum.slice(0, 12);
function describeProblem(version) {
  switch (version.state) {
    case "checksum-mismatch":
      return `  ${version.script} changed after it was applied: ${version.drift.map((drift) => `${drift.part} part applied sha256 ${drift.applied ?? "none"}, on disk sha256 ${drift.onDisk ?? "none"}`).join("; ")}`;
    case "missing-file":
      return `  ${version.script} (V${version.version}) is applied but its file is missing`;
    case "out-of-order":
      return `  ${version.script} is pending but older than the applied version`;
    case "failed":
      return `  ${version.script} failed at statement ${version.failure?.statement ?? "?"}: ${version.failure?.error ?? ""}`;
    default:
      return `  ${version.script}: ${version.state}`;
  }
}
function nextStepFor(version) {
  switch (version.state) {
    case "checksum-mismatch":
      return `Restore the file, or record the edit with: skill-metrics schema repair --realign ${version.version}`;
    case "missing-file":
      return `Restore ${version.script} into the migrations folder.`;
    case "out-of-order":
      return `Give the file a version above the applied ones (never edit or insert below applied versions).`;
    default:
      return "Fix the file, then run: skill-metrics schema repair";
  }
}

// ../../packages/db-store/dist/schema/schema-status.js
function statusOf(history, sources, where) {
  const rows = new Map(history.map((row) => [row.version, row]));
  const files = new Map(sources.map((source) => [source.version, source]));
  const current = Math.max(0, ...history.filter((row) => row.success).map((row) => row.version));
  const versions = [.../* @__PURE__ */ new Set([...rows.keys(), ...files.keys()])].sort((a, b) => a - b);
  return {
    ...where,
    current,
    latest: Math.max(0, ...sources.map((source) => source.version)),
    required: Math.max(0, ...sources.filter((source) => !source.optional).map((source) => source.version)),
    versions: versions.map((version) => versionStatus(rows.get(version), files.get(version), current))
  };
}
function versionStatus(row, source, current) {
  const base = {
    version: row?.version ?? source.version,
    description: source?.description ?? row.description,
    script: source?.scriptName ?? row.script,
    optional: source?.optional ?? false
  };
  if (row === void 0) {
    return { ...base, state: source.version < current ? "out-of-order" : "pending" };
  }
  const recorded = {
    kind: row.kind,
    appliedAt: row.applied_at,
    migrationTimeMs: row.migration_time_ms
  };
  if (!row.success) {
    return {
      ...base,
      ...recorded,
      state: "failed",
      failure: {
        statement: row.failed_statement,
        statementsApplied: row.statements_applied,
        error: row.error
      }
    };
  }
  if (source === void 0)
    return { ...base, ...recorded, state: "missing-file" };
  const drift = [];
  if (row.checksum !== source.forwardChecksum) {
    drift.push({ part: "forward", applied: row.checksum, onDisk: source.forwardChecksum });
  }
  if (row.rollback_checksum !== source.rollbackChecksum) {
    drift.push({
      part: "rollback",
      applied: row.rollback_checksum,
      onDisk: source.rollbackChecksum
    });
  }
  return drift.length > 0 ? { ...base, ...recorded, state: "checksum-mismatch", drift } : { ...base, ...recorded, state: "applied" };
}

// ../../packages/db-store/dist/schema/sql-session.js
var SqlSession = class _SqlSession {
  dialect;
  dataSource;
  runner;
  constructor(dialect, dataSource, runner) {
    this.dialect = dialect;
    this.dataSource = dataSource;
    this.runner = runner;
  }
  static async open(dataSource, dialect) {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    return new _SqlSession(dialect, dataSource, runner);
  }
  /** Rows of a bookkeeping query; `?` placeholders. */
  async rows(sql, parameters = []) {
    const result = await this.runner.query(this.#placeholders(sql), parameters);
    return Array.isArray(result) ? result : [];
  }
  /** One statement of migration SQL, exactly as written. */
  async execute(statement) {
    await this.runner.query(statement);
  }
  /** PostgreSQL: the pg client this session holds, for what TypeORM cannot send (COPY). */
  async pgClient() {
    return await this.runner.connect();
  }
  async begin() {
    await this.runner.query(this.dialect === "sqlite" ? "BEGIN IMMEDIATE" : "BEGIN");
  }
  async commit() {
    await this.runner.query("COMMIT");
  }
  /** Rolls back when a transaction is open; a failure to do so is recorded by the caller's error. */
  async rollbackQuietly() {
    try {
      await this.runner.query("ROLLBACK");
    } catch {
    }
  }
  /** Gives the connection back; the DataSource stays open for its owner to destroy. */
  async release() {
    await this.runner.release();
  }
  #placeholders(sql) {
    return this.dialect === "sqlite" ? sql : numberPlaceholders(sql);
  }
};

// ../../packages/db-store/dist/schema/step-plan.js
var REQUIRES_SQLITE = /^-- skill-metrics: requires sqlite (\d+)\.(\d+)\.(\d+)\s*$/m;
function planStep(source, sql, part, dialect) {
  const file = `${source.path}${part === "rollback" ? " (rollback part)" : ""}`;
  const firstLine = part === "rollback" && source.forwardSql !== "" ? source.forwardSql.split("\n").length + 1 : 1;
  const statements = splitSqlStatements(sql, dialect, file, firstLine);
  const control = findTransactionControl(statements);
  if (control !== void 0) {
    throw new BadInputError({ file, record: `line ${control.line}` }, `${JSON.stringify(control.sql.split("\n")[0])}: a migration may not control transactions; the runner wraps each file in one`, {
      nextStep: 'Remove BEGIN/COMMIT/ROLLBACK from the file (for statements that cannot run in a transaction, add the line "-- skill-metrics: no-transaction").'
    });
  }
  return {
    version: source.version,
    description: source.description,
    script: source.scriptName,
    statements: statements.map((statement) => statement.sql),
    transactional: source.transactional
  };
}
async function requireSqliteVersion(session, source) {
  const required = REQUIRES_SQLITE.exec(source.forwardSql);
  if (session.dialect !== "sqlite" || required === null)
    return;
  const [row] = await session.rows("SELECT sqlite_version() AS version");
  const have = row.version.split(".").map(Number);
  const need = required.slice(1, 4).map(Number);
  const older = need.findIndex((part, index) => part !== (have[index] ?? 0));
  if (older !== -1 && need[older] > (have[older] ?? 0)) {
    throw new RefusedError(`${source.scriptName} needs SQLite ${need.join(".")} or newer; this one is ${row.version}`);
  }
}

// ../../packages/db-store/dist/schema/step-transaction.js
var StepFailure = class extends Error {
  statement;
  cause;
  constructor(statement, cause) {
    super(cause.message);
    this.statement = statement;
    this.cause = cause;
  }
};
function rebuildsTables(statements) {
  return statements.some((statement) => /^\s*(DROP\s+TABLE|ALTER\s+TABLE\s+\S+\s+RENAME\s+TO)\b/i.test(statement.replace(/^(\s*--[^\n]*\n)+/, "")));
}
async function runInTransaction(session, step, finish) {
  const rebuild = session.dialect === "sqlite" && rebuildsTables(step.statements);
  if (rebuild)
    await session.execute("PRAGMA foreign_keys = OFF");
  try {
    await session.begin();
    let index = 0;
    try {
      for (; index < step.statements.length; index += 1) {
        await session.execute(step.statements[index]);
      }
      if (rebuild)
        await checkForeignKeys(session, step.script);
      await finish();
      await session.commit();
    } catch (error) {
      await session.rollbackQuietly();
      throw new StepFailure(index < step.statements.length ? index + 1 : null, error);
    }
  } finally {
    if (rebuild)
      await session.execute("PRAGMA foreign_keys = ON");
  }
}
async function checkForeignKeys(session, script) {
  const violations = await session.rows("PRAGMA foreign_key_check");
  if (violations.length > 0) {
    const first = violations[0];
    throw new Error(`${script} leaves ${violations.length} row(s) whose foreign key points nowhere (first: ${first.table} \u2192 ${first.parent})`);
  }
}

// ../../packages/db-store/dist/schema/schema-runner.js
var BUNDLED_MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations/", import.meta.url));
var DEFAULT_SCHEMA_LOCK_TIMEOUT_MS = 6e4;
var SchemaRunner = class _SchemaRunner {
  #session;
  #sources;
  #options;
  #actor = `${safeUser()} (pid ${process.pid})`;
  constructor(session, sources, options) {
    this.#session = session;
    this.#sources = sources;
    this.#options = {
      lockTimeoutMs: DEFAULT_SCHEMA_LOCK_TIMEOUT_MS,
      readOnly: false,
      ...options
    };
  }
  static async open(options) {
    const migrationsDir = options.migrationsDir ?? BUNDLED_MIGRATIONS_DIR;
    const sources = await loadMigrationSources(migrationsDir, options.target.dialect);
    let target = options.target;
    if (options.readOnly && target.dialect === "sqlite" && !target.inMemory && !existsSync(target.path)) {
      target = { ...target, path: ":memory:", inMemory: true };
    }
    const dataSource = await openDataSource(target, { readOnly: options.readOnly, poolSize: 1 });
    const session = await SqlSession.open(dataSource, target.dialect);
    if (target.dialect === "postgres" && target.schema !== void 0 && !options.readOnly) {
      await session.execute(`CREATE SCHEMA IF NOT EXISTS "${target.schema}"`);
    }
    return new _SchemaRunner(session, sources, { ...options, migrationsDir });
  }
  async close() {
    await this.#session.release();
    await this.#session.dataSource.destroy();
  }
  async status() {
    return this.#statusOf(await readHistory(this.#session));
  }
  /** Row counts of the given tables (plain identifiers only), for status output. */
  async count(tables) {
    const counts = [];
    for (const table of tables) {
      if (!/^[a-z_][a-z0-9_]*$/.test(table))
        throw new UsageError(`not a table name: ${table}`);
      const [row] = await this.#session.rows(`SELECT COUNT(*) AS n FROM ${table}`);
      counts.push(Number(row.n));
    }
    return counts;
  }
  /** For CI: throws `InconsistencyError` (exit 5) on any drift, failure or missing file. */
  async validate() {
    const status = await this.status();
    const problems = status.versions.filter((version) => !["applied", "pending"].includes(version.state));
    if (problems.length > 0) {
      throw new InconsistencyError(`the schema has drifted from ${status.migrationsDir}:
${problems.map(describeProblem).join("\n")}`, { nextStep: nextStepFor(problems[0]) });
    }
    return status;
  }
  /** Applies pending versions up to `target` (default: all). */
  async migrate({ target, ...run } = {}) {
    return this.#locked(run.dryRun, async () => {
      const status = this.#statusOf(await readHistory(this.#session));
      this.#refuseUnsafe(status);
      const goal = target ?? status.latest;
      if (goal < status.current) {
        throw new UsageError(`--target ${goal} is below the applied version ${status.current}; use: skill-metrics schema rollback --to ${goal}`);
      }
      const pending = this.#sources.filter((source) => source.version > status.current && source.version <= goal);
      const plans = pending.map((source) => ({
        source,
        step: planStep(source, source.forwardSql, "forward", this.#session.dialect)
      }));
      if (run.dryRun)
        return plans.map(({ step }) => ({ ...step, timeMs: 0 }));
      for (const { source } of plans)
        await requireSqliteVersion(this.#session, source);
      const steps = [];
      for (const { source, step } of plans) {
        const result = { ...step, timeMs: await this.#apply(source, step) };
        steps.push(result);
        run.onStep?.(result);
      }
      return steps;
    });
  }
  /**
   * Undoes applied versions above `to`, newest first, with the rollback SQL stored when applied.
   * `forced`: why a guard was overridden, audited (`rollback-forced`) in the transaction of the
   * first version undone, since `schema_migrations_audit` outlives any rollback.
   */
  async rollback({ to, forced, ...run }) {
    return this.#locked(run.dryRun, async () => {
      const history = await readHistory(this.#session);
      const failed = history.find((row) => !row.success);
      if (failed !== void 0)
        throw failedRefusal(failed);
      const undo = history.filter((row) => row.version > to).reverse();
      const missing = undo.filter((row) => row.rollback_sql === null || row.rollback_sql.trim() === "");
      if (missing.length > 0) {
        throw new RefusedError(`cannot roll back to ${to}: ${missing.map((row) => row.script).join(", ")} stored no rollback SQL; nothing was undone`);
      }
      const plans = undo.map((row) => ({
        row,
        step: planStep(sourceOfRow(row), row.rollback_sql, "rollback", this.#session.dialect)
      }));
      if (run.dryRun)
        return plans.map(({ step }) => ({ ...step, timeMs: 0 }));
      for (const { row } of plans) {
        const source = this.#sources.find((candidate) => candidate.version === row.version);
        if (source !== void 0)
          await requireSqliteVersion(this.#session, source);
      }
      const steps = [];
      for (const [index, { row, step }] of plans.entries()) {
        const result = {
          ...step,
          timeMs: await this.#undo(row, step, index === 0 ? forced : void 0)
        };
        steps.push(result);
        run.onStep?.(result);
      }
      return steps;
    });
  }
  /** Adopts an existing schema: records versions up to `version` as applied without running them. */
  async baseline({ version, dryRun }) {
    return this.#locked(dryRun, async () => {
      const history = await readHistory(this.#session);
      if (history.length > 0) {
        throw new RefusedError(`cannot baseline: ${history.length} version(s) are already recorded; baseline adopts a database that has none`);
      }
      const adopted = this.#sources.filter((source) => source.version <= version);
      if (adopted.length === 0)
        throw new UsageError(`no migration file has a version \u2264 ${version}`);
      if (dryRun)
        return adopted.map((source) => source.version);
      await this.#session.begin();
      try {
        for (const source of adopted) {
          await insertHistory(this.#session, {
            ...rowOfSource(source, this.#actor),
            kind: "baseline",
            migration_time_ms: null
          });
        }
        await audit(this.#session, this.#actor, "baseline", version, `adopted V1..V${version} without running them`);
        await this.#session.commit();
      } catch (error) {
        await this.#session.rollbackQuietly();
        throw error;
      }
      return adopted.map((source) => source.version);
    });
  }
  /**
   * Clears failed rows (after the file was fixed, or a non-transactional failure was mended by
   * hand) and realigns recorded checksums with edited files when asked; each change is audited.
   */
  async repair({ realign = [], dryRun } = {}) {
    return this.#locked(dryRun, async () => {
      const history = await readHistory(this.#session);
      const actions = [];
      for (const row of history.filter((candidate) => !candidate.success)) {
        actions.push(`cleared the failed row of ${row.script} (statement ${row.failed_statement ?? "?"}: ${row.error ?? ""})`);
      }
      for (const version of realign) {
        const row = history.find((candidate) => candidate.version === version && candidate.success);
        const source = this.#sources.find((candidate) => candidate.version === version);
        if (row === void 0 || source === void 0) {
          throw new UsageError(`--realign ${version}: the version must be applied and have a file`);
        }
        actions.push(`realigned ${source.scriptName}: checksum ${short(row.checksum)} \u2192 ${short(source.forwardChecksum)}, rollback ${short(row.rollback_checksum)} \u2192 ${short(source.rollbackChecksum)}`);
      }
      if (dryRun || actions.length === 0)
        return actions;
      await this.#session.begin();
      try {
        for (const row of history.filter((candidate) => !candidate.success)) {
          await clearFailedRow(this.#session, this.#actor, row);
        }
        for (const version of realign) {
          const source = this.#sources.find((candidate) => candidate.version === version);
          const before = history.find((candidate) => candidate.version === version);
          await realignRow(this.#session, this.#actor, source, before);
        }
        await this.#session.commit();
      } catch (error) {
        await this.#session.rollbackQuietly();
        throw error;
      }
      return actions;
    });
  }
  /** Runs `work` under the schema lock; a dry run takes no lock, since taking it would write. */
  async #locked(dryRun, work) {
    if (dryRun || this.#options.readOnly)
      return work();
    const lock = await acquireSchemaLock(this.#session, this.#actor, this.#options.lockTimeoutMs);
    try {
      await ensureBookkeeping(this.#session);
      return await work();
    } finally {
      await lock.release();
    }
  }
  #statusOf(history) {
    return statusOf(history, this.#sources, {
      database: this.#options.target.display,
      dialect: this.#options.target.dialect,
      migrationsDir: this.#options.migrationsDir
    });
  }
  #refuseUnsafe(status) {
    const failed = status.versions.find((version) => version.state === "failed");
    if (failed !== void 0)
      throw failedRefusal(failed);
    const newer = status.versions.filter((version) => version.state === "missing-file" && version.version > status.latest);
    if (newer.length > 0) {
      throw new RefusedError(`the database schema (V${status.current}) is newer than this version of skill-metrics knows (V${status.latest})`, { nextStep: "Upgrade skill-metrics, or point --migrations-dir at the newer migrations." });
    }
    const problems = status.versions.filter((version) => ["checksum-mismatch", "missing-file", "out-of-order"].includes(version.state));
    if (problems.length > 0) {
      throw new RefusedError(`refusing to migrate:
${problems.map(describeProblem).join("\n")}`, {
        nextStep: nextStepFor(problems[0])
      });
    }
  }
  async #apply(source, step) {
    const started = performance.now();
    const history = rowOfSource(source, this.#actor);
    if (!step.transactional)
      return this.#applyOutsideTransaction(source, step, history, started);
    try {
      await runInTransaction(this.#session, step, () => insertHistory(this.#session, {
        ...history,
        migration_time_ms: performance.now() - started
      }));
    } catch (failure) {
      if (!(failure instanceof StepFailure))
        throw failure;
      await this.#recordFailure(history, failure.statement, null, failure.cause);
      throw migrationFailed(source, step, failure.statement, failure.cause, true);
    }
    return performance.now() - started;
  }
  async #applyOutsideTransaction(source, step, history, started) {
    let index = 0;
    try {
      for (; index < step.statements.length; index += 1)
        await this.#session.execute(step.statements[index]);
    } catch (error) {
      await this.#recordFailure(history, index + 1, index, error);
      throw migrationFailed(source, step, index + 1, error, false);
    }
    await insertHistory(this.#session, {
      ...history,
      migration_time_ms: performance.now() - started
    });
    return performance.now() - started;
  }
  async #undo(row, step, forced) {
    const started = performance.now();
    try {
      await runInTransaction(this.#session, step, async () => {
        await forgetVersion(this.#session, this.#actor, row);
        if (forced !== void 0)
          await audit(this.#session, this.#actor, "rollback-forced", row.version, forced);
      });
    } catch (failure) {
      if (!(failure instanceof StepFailure))
        throw failure;
      throw new RefusedError(`rolling back ${row.script} failed at statement ${failure.statement ?? "check"} of its stored rollback SQL: ${failure.cause.message}; nothing of it was undone`, { cause: failure.cause });
    }
    return performance.now() - started;
  }
  async #recordFailure(history, statement, statementsApplied, error) {
    await insertHistory(this.#session, {
      ...history,
      success: false,
      failed_statement: statement,
      statements_applied: statementsApplied,
      error: error.message
    });
  }
};
function safeUser() {
  try {
    return userInfo().username;
  } catch {
    return "unknown user";
  }
}

// ../../packages/db-store/dist/schema/schema-gate.js
async function requireLatestSchema({ target, migrationsDir, migrate = false, neededBy }) {
  if (!migrate)
    await requireCreatableSqlite(target);
  const runner = await SchemaRunner.open({ target, migrationsDir, readOnly: !migrate });
  try {
    if (migrate)
      await runner.migrate();
    const status = await runner.status();
    if (status.current < status.required) {
      const missing = target.dialect === "sqlite" && !target.inMemory && !existsSync2(target.path) ? `the database ${target.path} does not exist yet` : `the database schema is at V${status.current}`;
      throw new RefusedError(`${missing}; ${neededBy} needs V${status.required}`, {
        nextStep: "Run: skill-metrics schema migrate"
      });
    }
    if (status.current > status.latest) {
      throw new RefusedError(`the database schema (V${status.current}) is newer than this version of skill-metrics knows (V${status.latest})`, { nextStep: "Upgrade skill-metrics." });
    }
  } finally {
    await runner.close();
  }
}
async function requireCreatableSqlite(target) {
  if (target.dialect !== "sqlite" || target.inMemory || existsSync2(target.path))
    return;
  let folder = dirname2(target.path);
  while (!existsSync2(folder) && dirname2(folder) !== folder)
    folder = dirname2(folder);
  const info = await stat(folder);
  const problem = info.isDirectory() ? await access(folder, constants.W_OK).then(() => void 0, (error) => error) : Object.assign(new Error(`${folder} is not a folder`), { code: "ENOTDIR" });
  if (problem !== void 0)
    throw sqliteUnavailable(target, problem, problem.code ?? "");
}

// ../../packages/db-store/dist/store/dialect-sql.js
function asText(dialect, column) {
  return dialect === "postgres" ? `${column}::text AS ${column}` : column;
}
function nullSafeEqualsParameter(dialect) {
  return dialect === "postgres" ? "IS NOT DISTINCT FROM ?" : "IS ?";
}
function sqlBoolean(dialect, value) {
  return dialect === "sqlite" ? Number(value) : value;
}

// ../../packages/db-store/dist/phases/epoch-fence.js
async function lockStoreWrites(sql) {
  await sql.rows(`SELECT pg_advisory_xact_lock(hashtext('skill-metrics:store:' || current_schema()))`);
}
async function checkEpoch(sql, epoch) {
  const [row] = await sql.rows("SELECT epoch FROM migration_state WHERE id = 1");
  const current = row === void 0 ? 0 : Number(row.epoch);
  if (current !== epoch) {
    throw new StaleEpochError(`the phase moved on (epoch ${epoch} \u2192 ${current}); this store no longer takes writes`);
  }
}

// ../../packages/db-store/dist/phases/phase-store.js
var TRANSITION_BUSY_TIMEOUT_MS = 2e3;
var TRANSITION_BEGIN_ATTEMPTS = 5;
var PhaseStore = class _PhaseStore {
  dataSource;
  dialect;
  constructor(dataSource, dialect) {
    this.dataSource = dataSource;
    this.dialect = dialect;
  }
  /** Opens the database; the phase machine needs the schema at the latest version. */
  static async open(target) {
    await requireLatestSchema({ target, neededBy: "the phase machine" });
    const dataSource = await openDataSource(target);
    if (target.dialect === "sqlite") {
      await dataSource.query(`PRAGMA busy_timeout = ${TRANSITION_BUSY_TIMEOUT_MS}`);
    }
    return new _PhaseStore(dataSource, target.dialect);
  }
  /**
   * The phase tables at whatever version the schema is, or null when there are none (below V4,
   * or no database file yet): a schema rollback reads there the phase it must not break, and
   * records a forced one, where `open` refuses a schema that is not the latest.
   */
  static async openAsItIs(target, { readOnly = false } = {}) {
    if (target.dialect === "sqlite" && !target.inMemory && !existsSync3(target.path))
      return null;
    const dataSource = await openDataSource(target, { readOnly, poolSize: 1 });
    const sql = await SqlSession.open(dataSource, target.dialect);
    const present = await tableExists(sql, "migration_state").finally(() => sql.release());
    if (present)
      return new _PhaseStore(dataSource, target.dialect);
    await dataSource.destroy();
    return null;
  }
  async close() {
    await this.dataSource.destroy();
  }
  async state() {
    const [row] = await this.#rows("SELECT phase, epoch, changed_at, cutover_at FROM migration_state WHERE id = 1");
    if (row === void 0)
      return { phase: "json-only", epoch: 0, changed_at: null, cutover_at: null };
    if (!PHASES.includes(row.phase)) {
      throw new RefusedError(`migration_state holds an unknown phase ${JSON.stringify(row.phase)}`);
    }
    return {
      phase: row.phase,
      epoch: Number(row.epoch),
      changed_at: row.changed_at,
      cutover_at: row.cutover_at
    };
  }
  async history(limit = 20) {
    const rows = await this.#rows(`SELECT at, actor, reason, from_phase, to_phase, epoch, result, forced, detail FROM migration_history
       ORDER BY id DESC LIMIT ?`, [limit]);
    return rows.map((row) => ({ ...row, forced: Boolean(row.forced), epoch: Number(row.epoch) }));
  }
  async lastValidation() {
    const [row] = await this.#rows("SELECT at, kind, clean, summary FROM validation_run ORDER BY id DESC LIMIT 1");
    return row === void 0 ? null : { ...row, clean: Boolean(row.clean) };
  }
  async recordValidation(record) {
    await this.#transaction((sql) => sql.rows("INSERT INTO validation_run (at, kind, clean, summary) VALUES (?, ?, ?, ?)", [
      record.at,
      record.kind,
      sqlBoolean(this.dialect, record.clean),
      record.summary
    ]).then(() => void 0));
  }
  /** The legacy file (absolute path) this database serves: null before the first transition. */
  async servedLegacyFile() {
    const [row] = await this.#rows("SELECT path FROM legacy_source WHERE id = 1");
    return row?.path ?? null;
  }
  /**
   * Moves the phase and records the transition, in one transaction, with the legacy file it was
   * made for: the file this database serves from then on.
   */
  async commitTransition(record, cutoverAt, legacyFile) {
    await this.#transaction(async (sql) => {
      await sql.rows(`INSERT INTO migration_state (id, phase, epoch, changed_at, cutover_at) VALUES (1, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET phase = excluded.phase, epoch = excluded.epoch,
           changed_at = excluded.changed_at, cutover_at = excluded.cutover_at`, [record.to_phase, record.epoch, record.at, cutoverAt]);
      await this.#recordLegacyFile(sql, legacyFile, record.at);
      await this.#insertHistory(sql, record);
    });
  }
  /** Records a refused or failed attempt; the phase stays as it was. */
  async recordAttempt(record) {
    await this.#transaction((sql) => this.#insertHistory(sql, record));
  }
  /** The legacy file moved: this database serves it at `legacyFile` now; `record` says who and why. */
  async recordLegacyFileMove(record, legacyFile) {
    await this.#transaction(async (sql) => {
      await this.#recordLegacyFile(sql, legacyFile, record.at);
      await this.#insertHistory(sql, record);
    });
  }
  async #recordLegacyFile(sql, path, at) {
    await sql.rows(`INSERT INTO legacy_source (id, path, recorded_at) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET path = excluded.path, recorded_at = excluded.recorded_at
       WHERE legacy_source.path <> excluded.path`, [path, at]);
  }
  async #insertHistory(sql, record) {
    await sql.rows(`INSERT INTO migration_history (at, actor, reason, from_phase, to_phase, epoch, result, forced, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      record.at,
      record.actor,
      record.reason,
      record.from_phase,
      record.to_phase,
      record.epoch,
      record.result,
      sqlBoolean(this.dialect, record.forced),
      record.detail
    ]);
  }
  async #rows(query, parameters = []) {
    const sql = await SqlSession.open(this.dataSource, this.dialect);
    try {
      return await sql.rows(query, parameters);
    } finally {
      await sql.release();
    }
  }
  /**
   * SQLite's busy handler does not queue: writers that keep the database busy can starve a
   * transition's BEGIN IMMEDIATE past its busy timeout (seen once: two smoke writers in
   * db-primary, and `rollback` exited 1 on "database is locked"). Nothing was done yet, so it is
   * tried again, the event loop free between tries (the writers' lock's refresh runs then).
   */
  async #begin(sql) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await sql.begin();
        return;
      } catch (error) {
        const { code, driverError } = error;
        const busy = (code ?? driverError?.code) === "SQLITE_BUSY";
        if (!busy || attempt >= TRANSITION_BEGIN_ATTEMPTS)
          throw error;
        await sleep3(10 * attempt);
      }
    }
  }
  async #transaction(work) {
    const sql = await SqlSession.open(this.dataSource, this.dialect);
    try {
      await this.#begin(sql);
      try {
        if (this.dialect === "postgres")
          await lockStoreWrites(sql);
        await work(sql);
        await sql.commit();
      } catch (error) {
        await sql.rollbackQuietly();
        throw error;
      }
    } finally {
      await sql.release();
    }
  }
};

// ../../packages/db-store/dist/store/invocation-rows.js
var SCHEMA_VERSION_WRITTEN = 3;
var INVOCATION_COLUMN_NAMES = [
  "id",
  ...INVOCATION_FIELDS,
  "seq",
  "completion_seq",
  "session_id"
];
function invocationColumns(dialect) {
  return INVOCATION_COLUMN_NAMES.map((name) => name === "follow_up_actions" ? asText(dialect, name) : name).join(", ");
}
var INSERT_COLUMN_NAMES = [
  "id",
  "skill_name",
  "invoked_at",
  "workflow_path",
  "completed",
  "duration_seconds",
  "error_type",
  "session_id",
  "follow_up_actions",
  "schema_version",
  "seq",
  "completion_seq"
];
var INSERT_COLUMNS = INSERT_COLUMN_NAMES.join(", ");
var UPDATED_COLUMN_NAMES = INVOCATION_COLUMN_NAMES.filter((name) => name !== "id" && name !== "session_id");
function columnValue(record, column) {
  return column === "follow_up_actions" ? JSON.stringify(record.follow_up_actions) : record[column];
}
function invocationOfRow(row) {
  return {
    id: String(row.id),
    skill_name: String(row.skill_name),
    invoked_at: String(row.invoked_at),
    workflow_path: row.workflow_path === null ? null : String(row.workflow_path),
    completed: Boolean(row.completed),
    duration_seconds: row.duration_seconds === null ? null : Number(row.duration_seconds),
    follow_up_actions: JSON.parse(String(row.follow_up_actions ?? "[]")),
    error_type: row.error_type === null ? null : String(row.error_type),
    seq: row.seq === null ? null : Number(row.seq),
    completion_seq: row.completion_seq === null ? null : Number(row.completion_seq),
    session_id: row.session_id === null ? null : String(row.session_id)
  };
}
function storedRecordOf(invocation, id, seq) {
  return { id, ...legacyRecordOf(invocation), seq, completion_seq: null, session_id: null };
}
function legacyRecordOf(invocation) {
  return {
    skill_name: invocation.skill_name,
    invoked_at: invocation.invoked_at,
    workflow_path: invocation.workflow_path,
    completed: invocation.completed,
    duration_seconds: invocation.duration_seconds,
    follow_up_actions: invocation.follow_up_actions,
    error_type: invocation.error_type
  };
}

// ../../packages/db-store/dist/store/legacy-import.js
async function importLegacyDocument(store, document) {
  const ids = new InvocationIdAssigner();
  const result = await store.upsertInvocations(document.invocations.map((invocation, seq) => storedRecordOf(invocation, ids.next(invocation), seq)));
  await store.setSkillAggregates([...document.skills].map(([name, aggregate], position) => ({ name, position, aggregate })));
  return result;
}

// ../../packages/db-store/dist/store/batch-sync.js
var completed = (invocation) => invocation.duration_seconds !== null;
var movesForward = (stored, record) => !completed(stored) && completed(record) ? record : null;
var jsonWins = (stored, record) => {
  if (completed(stored) && !completed(record))
    return stored.seq === record.seq ? null : { ...stored, seq: record.seq };
  return !sameInvocation(stored, record) || stored.seq !== record.seq ? record : null;
};
function classify(records, existing, rule) {
  const inserts = [];
  const updates = [];
  const behind = [];
  for (const record of records) {
    const stored = existing.get(record.id);
    if (stored === void 0) {
      inserts.push(record);
      continue;
    }
    if (completed(stored) && !completed(record))
      behind.push({ ...stored, seq: record.seq });
    const next = rule(stored, record);
    if (next !== null)
      updates.push({ ...next, completion_seq: next.completion_seq ?? stored.completion_seq });
  }
  return { inserts, updates, behind };
}
async function upsertWith(operations, records, rule, dryRun) {
  const known = dryRun ? records : await operations.insertNew(records);
  const existing = await operations.existing(known.map((record) => record.id));
  const { inserts, updates, behind } = classify(known, existing, rule);
  if (!dryRun)
    await operations.update(updates);
  const inserted = records.length - known.length + inserts.length;
  return {
    inserted,
    updated: updates.length,
    unchanged: records.length - inserted - updates.length,
    behind
  };
}
async function syncBatchWith(operations, batch, { dryRun, at }) {
  const checkpoint = await operations.checkpoint(batch.firstSeq);
  if (checkpoint?.digest === batch.digest && checkpoint.record_count === batch.span) {
    return {
      skipped: true,
      inserted: 0,
      updated: 0,
      unchanged: batch.records.length,
      displaced: 0,
      behind: []
    };
  }
  const filePositions = new Map(batch.records.map((record) => [record.id, record.seq]));
  const inTheWay = (await operations.positionsInRange(batch.firstSeq, batch.firstSeq + batch.span)).filter(([id, seq]) => filePositions.get(id) !== seq);
  if (!dryRun && inTheWay.length > 0)
    await operations.unposition(inTheWay.map(([id]) => id));
  const written = await upsertWith(operations, batch.records, jsonWins, dryRun);
  if (!dryRun)
    await operations.saveCheckpoint(batch, at);
  return {
    ...written,
    skipped: false,
    displaced: inTheWay.filter(([id]) => !filePositions.has(id)).length
  };
}
var sessionsOf = (records) => [
  ...new Set(records.flatMap((record) => record.session_id === null ? [] : [record.session_id]))
];

// ../../packages/db-store/dist/store/batch-statements.js
var CHECKPOINT_OF_BATCH = "SELECT record_count, digest FROM backfill_batch WHERE first_seq = ?";
var SAVE_CHECKPOINT = `INSERT INTO backfill_batch (first_seq, record_count, digest, synced_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (first_seq) DO UPDATE SET record_count = excluded.record_count,
         digest = excluded.digest, synced_at = excluded.synced_at`;
var POSITIONS_IN_RANGE = "SELECT id, seq FROM skill_invocation WHERE seq >= ? AND seq < ?";
var ENSURE_SESSION = "INSERT INTO sessions (id) VALUES (?) ON CONFLICT (id) DO NOTHING";

// ../../packages/db-store/dist/store/skill-aggregates.js
async function readSkillAggregates(sql, only) {
  const rows = await sql.rows(`SELECT skill_name, total_invocations, completed_invocations, abandoned_invocations, total_duration_seconds,
       ${asText(sql.dialect, "workflow_paths")}, ${asText(sql.dialect, "common_errors")}, ${asText(sql.dialect, "follow_up_actions")},
       first_invoked, last_invoked, position, last_completion_seq
     FROM skill_metrics ${only === void 0 ? "" : "WHERE skill_name = ?"} ORDER BY position IS NULL, position, skill_name`, only === void 0 ? [] : [only]);
  return rows.map((row) => ({
    aggregate: aggregateOf(row),
    position: row.position,
    lastCompletionSeq: row.last_completion_seq === null ? null : Number(row.last_completion_seq)
  }));
}
function aggregateOf(row) {
  return {
    skill_name: row.skill_name,
    total_invocations: Number(row.total_invocations),
    completed_invocations: Number(row.completed_invocations),
    abandoned_invocations: Number(row.abandoned_invocations),
    total_duration_seconds: Number(row.total_duration_seconds),
    workflow_paths: parseCounter(row.workflow_paths),
    common_errors: parseCounter(row.common_errors),
    follow_up_actions: parseCounter(row.follow_up_actions),
    first_invoked: row.first_invoked,
    last_invoked: row.last_invoked
  };
}
async function saveSkill(sql, name, aggregate, position, lastCompletionSeq) {
  await sql.rows("UPDATE skill_metrics SET position = NULL WHERE position = ? AND skill_name <> ?", [position, name]);
  await sql.rows(`INSERT INTO skill_metrics (skill_name, total_invocations, completed_invocations, abandoned_invocations,
       total_duration_seconds, workflow_paths, common_errors, follow_up_actions, first_invoked, last_invoked,
       completion_rate, avg_duration_seconds, schema_version, position, last_completion_seq)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (skill_name) DO UPDATE SET total_invocations = excluded.total_invocations,
       completed_invocations = excluded.completed_invocations, abandoned_invocations = excluded.abandoned_invocations,
       total_duration_seconds = excluded.total_duration_seconds, workflow_paths = excluded.workflow_paths,
       common_errors = excluded.common_errors, follow_up_actions = excluded.follow_up_actions,
       first_invoked = excluded.first_invoked, last_invoked = excluded.last_invoked,
       completion_rate = excluded.completion_rate, avg_duration_seconds = excluded.avg_duration_seconds,
       schema_version = excluded.schema_version, position = excluded.position,
       last_completion_seq = excluded.last_completion_seq`, [
    name,
    aggregate.total_invocations,
    aggregate.completed_invocations,
    aggregate.abandoned_invocations,
    aggregate.total_duration_seconds,
    stringifyCounter(aggregate.workflow_paths),
    stringifyCounter(aggregate.common_errors),
    stringifyCounter(aggregate.follow_up_actions),
    aggregate.first_invoked,
    aggregate.last_invoked,
    completionRate(aggregate),
    averageDuration(aggregate),
    SCHEMA_VERSION_WRITTEN,
    position,
    lastCompletionSeq
  ]);
}

// ../../packages/db-store/dist/store/live-writes.js
async function insertPending(sql, invocation) {
  let id = invocation.id;
  if (id === void 0) {
    const [same] = await sql.rows(`SELECT COUNT(*) AS n FROM skill_invocation WHERE skill_name = ? AND invoked_at = ? AND workflow_path ${nullSafeEqualsParameter(sql.dialect)}`, [invocation.skill_name, invocation.invoked_at, invocation.workflow_path]);
    id = invocationId(invocation.skill_name, invocation.invoked_at, invocation.workflow_path, Number(same.n));
  }
  const seq = invocation.seq ?? await nextValue(sql, "COALESCE(MAX(seq), -1) + 1", "skill_invocation");
  if (invocation.session_id !== null)
    await sql.rows(ENSURE_SESSION, [invocation.session_id]);
  await sql.rows(`INSERT INTO skill_invocation (${INSERT_COLUMNS})
     VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, '[]', ?, ?, NULL)
     ON CONFLICT (id) DO NOTHING`, [
    id,
    invocation.skill_name,
    invocation.invoked_at,
    invocation.workflow_path,
    sqlBoolean(sql.dialect, false),
    invocation.session_id,
    SCHEMA_VERSION_WRITTEN,
    seq
  ]);
  return { id, seq };
}
async function completeStored(sql, id, { completed: completed2 = true, followUpActions = [], errorType = null, durationSeconds, completionSeq: carried }, clock) {
  const [row] = await sql.rows("SELECT skill_name, invoked_at, workflow_path, session_id, duration_seconds FROM skill_invocation WHERE id = ?", [id]);
  if (row === void 0)
    throw new BugError(`no stored invocation has the id ${id}`);
  if (row.duration_seconds !== null)
    return;
  const finished = {
    skill_name: row.skill_name,
    invoked_at: row.invoked_at,
    workflow_path: row.workflow_path,
    completed: completed2,
    duration_seconds: durationSeconds ?? naiveSecondsBetween(row.invoked_at, toNaiveLocalIso(clock.now())),
    follow_up_actions: [...followUpActions],
    error_type: errorType
  };
  const completionSeq = carried ?? await nextValue(sql, "COALESCE(SUM(total_invocations), 0) + 1", "skill_metrics");
  await sql.rows(`UPDATE skill_invocation SET completed = ?, duration_seconds = ?, follow_up_actions = ?, error_type = ?,
       completion_seq = ? WHERE id = ? AND duration_seconds IS NULL`, [
    sqlBoolean(sql.dialect, completed2),
    finished.duration_seconds,
    JSON.stringify(finished.follow_up_actions),
    errorType,
    completionSeq,
    id
  ]);
  await applyToSkill(sql, finished, completionSeq);
  if (row.session_id !== null)
    await applyToSession(sql, row.session_id, finished);
}
async function applyToSkill(sql, finished, completionSeq) {
  const [stored] = await readSkillAggregates(sql, finished.skill_name);
  const lastSeq = stored?.lastCompletionSeq ?? null;
  const outOfOrder = lastSeq !== null && completionSeq < lastSeq;
  const skills = /* @__PURE__ */ new Map();
  if (stored !== void 0) {
    skills.set(finished.skill_name, outOfOrder ? structuredClone(stored.aggregate) : stored.aggregate);
  }
  const aggregate = applyCompletion(skills, finished);
  if (stored !== void 0 && outOfOrder) {
    await keepFileOrder(sql, aggregate, stored.aggregate, finished, completionSeq);
  }
  const position = stored?.position ?? await nextValue(sql, "COALESCE(MAX(position), -1) + 1", "skill_metrics");
  await saveSkill(sql, finished.skill_name, aggregate, Number(position), Math.max(completionSeq, lastSeq ?? completionSeq));
}
async function keepFileOrder(sql, aggregate, before, finished, completionSeq) {
  const later = await sql.rows(`SELECT workflow_path, error_type, ${asText(sql.dialect, "follow_up_actions")} FROM skill_invocation
     WHERE skill_name = ? AND completion_seq > ?`, [aggregate.skill_name, completionSeq]);
  aggregate.last_invoked = before.last_invoked;
  if (before.total_invocations === later.length)
    aggregate.first_invoked = finished.invoked_at;
  const counts = (values) => {
    const found = /* @__PURE__ */ new Map();
    for (const value of values)
      if (value)
        found.set(value, (found.get(value) ?? 0) + 1);
    return found;
  };
  aggregate.workflow_paths = placeNewKeys(aggregate.workflow_paths, before.workflow_paths, counts(later.map((row) => row.workflow_path)));
  aggregate.common_errors = placeNewKeys(aggregate.common_errors, before.common_errors, counts(later.map((row) => row.error_type)));
  aggregate.follow_up_actions = placeNewKeys(aggregate.follow_up_actions, before.follow_up_actions, counts(later.flatMap((row) => JSON.parse(row.follow_up_actions))));
}
function placeNewKeys(after, before, fromLater) {
  const added = [...after.keys()].filter((key) => !before.has(key));
  const firstLaterOnly = [...before.keys()].find((key) => before.get(key) === fromLater.get(key));
  if (added.length === 0 || firstLaterOnly === void 0)
    return after;
  const placed = /* @__PURE__ */ new Map();
  for (const key of before.keys()) {
    if (key === firstLaterOnly)
      for (const newKey of added)
        placed.set(newKey, after.get(newKey));
    placed.set(key, after.get(key));
  }
  return placed;
}
async function applyToSession(sql, sessionId, finished) {
  await sql.rows(`INSERT INTO session_skill (id, session_id, skill_name, invocation_count, first_invoked_at, last_invoked_at,
       total_duration_seconds)
     VALUES (?, ?, ?, 1, ?, ?, ?)
     ON CONFLICT (session_id, skill_name) DO UPDATE SET invocation_count = session_skill.invocation_count + 1,
       last_invoked_at = excluded.last_invoked_at,
       total_duration_seconds = session_skill.total_duration_seconds + excluded.total_duration_seconds`, [
    invocationId(sessionId, finished.skill_name, "session_skill", 0),
    sessionId,
    finished.skill_name,
    finished.invoked_at,
    finished.invoked_at,
    finished.completed && finished.duration_seconds ? finished.duration_seconds : 0
  ]);
}
async function nextValue(sql, next, table) {
  const [row] = await sql.rows(`SELECT ${next} AS next FROM ${table}`);
  return Number(row.next);
}

// ../../packages/db-store/dist/store/percentile-upkeep.js
async function refreshPercentiles(connection, sql, names) {
  const durationsOf = "SELECT duration_seconds FROM skill_invocation WHERE skill_name = ? AND completed = ? AND duration_seconds IS NOT NULL";
  for (const name of names) {
    const durations = connection.dialect === "sqlite" ? connection.sqliteConnection().prepare(durationsOf).pluck().all(name, 1) : (await sql.rows(durationsOf, [name, true])).map((row) => Number(row.duration_seconds));
    await savePercentiles(sql, name, durations);
  }
}
async function savePercentiles(sql, name, durations) {
  const { p50, p95, p99 } = percentiles(durations);
  await sql.rows("UPDATE skill_metrics SET p50_duration_seconds = ?, p95_duration_seconds = ?, p99_duration_seconds = ? WHERE skill_name = ?", [p50, p95, p99, name]);
}

// ../../packages/db-store/dist/store/postgres/postgres-batch-operations.js
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { from as copyFrom } from "pg-copy-streams";
var COLUMNS = invocationColumns("postgres");
var ARRAY_TYPES = {
  id: "text[]",
  skill_name: "text[]",
  invoked_at: "text[]",
  workflow_path: "text[]",
  completed: "boolean[]",
  duration_seconds: "float8[]",
  follow_up_actions: "text[]",
  error_type: "text[]",
  seq: "bigint[]",
  completion_seq: "bigint[]",
  session_id: "text[]"
};
var UNNEST = `unnest(${INVOCATION_COLUMN_NAMES.map((column) => `?::${ARRAY_TYPES[column]}`).join(", ")})
  AS u(${INVOCATION_COLUMN_NAMES.join(", ")})`;
var fromUnnest = (column) => column === "follow_up_actions" ? `u.${column}::json` : `u.${column}`;
function columnsOf(records) {
  return INVOCATION_COLUMN_NAMES.map((column) => records.map((record) => columnValue(record, column)));
}
var COPIED_COLUMN_NAMES = INSERT_COLUMN_NAMES.filter((column) => column !== "schema_version");
var STAGING = "skill_invocation_staging";
var CREATE_STAGING = `CREATE TEMP TABLE IF NOT EXISTS ${STAGING} (
  ${COPIED_COLUMN_NAMES.map((column) => `${column} ${ARRAY_TYPES[column].slice(0, -2)}`).join(", ")})`;
var INSERT_STAGED = `WITH staged AS (DELETE FROM ${STAGING} RETURNING *),
  inserted AS (
    INSERT INTO skill_invocation (${INSERT_COLUMNS})
    SELECT ${INSERT_COLUMN_NAMES.map((column) => column === "schema_version" ? SCHEMA_VERSION_WRITTEN : column === "follow_up_actions" ? `${column}::json` : column).join(", ")}
    FROM staged ON CONFLICT (id) DO NOTHING RETURNING id)
  SELECT id FROM staged WHERE NOT EXISTS (SELECT 1 FROM inserted WHERE inserted.id = staged.id)`;
var COPY_ESCAPES = {
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "	": "\\t"
};
var copyText = (value) => value === null ? "\\N" : String(value).replace(/[\\\n\r\t]/g, (found) => COPY_ESCAPES[found]);
var copyLine = (record) => `${COPIED_COLUMN_NAMES.map((column) => copyText(columnValue(record, column))).join("	")}
`;
var PostgresBatchOperations = class {
  sql;
  constructor(sql) {
    this.sql = sql;
  }
  async checkpoint(firstSeq) {
    const [row] = await this.sql.rows(CHECKPOINT_OF_BATCH, [firstSeq]);
    return row === void 0 ? void 0 : { record_count: Number(row.record_count), digest: row.digest };
  }
  async existing(ids) {
    const rows = await this.sql.rows(`SELECT ${COLUMNS} FROM skill_invocation WHERE id = ANY(?::text[])`, [ids]);
    return new Map(rows.map((row) => [String(row.id), invocationOfRow(row)]));
  }
  async differencesInRange(first, end, records) {
    const rows = await this.sql.rows(`SELECT ${COLUMNS} FROM skill_invocation WHERE seq >= ? AND seq < ?`, [first, end]);
    const stored = new Map(rows.map((row) => [String(row.id), invocationOfRow(row)]));
    const absent = [];
    const differing = /* @__PURE__ */ new Map();
    for (const { id, record } of records) {
      const found = stored.get(id);
      if (found === void 0)
        absent.push(id);
      else if (!sameInvocation(found, record))
        differing.set(id, found);
    }
    return { absent, differing };
  }
  async positionsInRange(first, end) {
    const rows = await this.sql.rows(POSITIONS_IN_RANGE, [
      first,
      end
    ]);
    return rows.map((row) => [row.id, Number(row.seq)]);
  }
  async unposition(ids) {
    await this.sql.rows("UPDATE skill_invocation SET seq = NULL WHERE id = ANY(?::text[])", [ids]);
  }
  async insertNew(records) {
    if (records.length === 0)
      return [];
    const sessions = sessionsOf(records);
    if (sessions.length > 0) {
      await this.sql.rows("INSERT INTO sessions (id) SELECT unnest(?::text[]) ON CONFLICT (id) DO NOTHING", [sessions]);
    }
    await this.sql.rows(CREATE_STAGING);
    const client = await this.sql.pgClient();
    await pipeline(Readable.from([records.map(copyLine).join("")]), client.query(copyFrom(`COPY ${STAGING} (${COPIED_COLUMN_NAMES.join(", ")}) FROM STDIN`)));
    const known = new Set((await this.sql.rows(INSERT_STAGED)).map((row) => row.id));
    return records.filter((record) => known.has(record.id));
  }
  async update(records) {
    if (records.length === 0)
      return;
    await this.sql.rows(`UPDATE skill_invocation AS t SET ${UPDATED_COLUMN_NAMES.map((column) => `${column} = ${fromUnnest(column)}`).join(", ")}
       FROM ${UNNEST} WHERE t.id = u.id`, columnsOf(records));
  }
  async saveCheckpoint(batch, at) {
    await this.sql.rows(SAVE_CHECKPOINT, [batch.firstSeq, batch.span, batch.digest, at]);
  }
};

// ../../packages/db-store/dist/store/sqlite/sqlite-batch-operations.js
var COLUMNS2 = invocationColumns("sqlite");
var sqliteRowOf = (record) => ({
  ...record,
  completed: Number(record.completed),
  follow_up_actions: JSON.stringify(record.follow_up_actions)
});
var SqliteBatchOperations = class {
  #checkpoint;
  #existing;
  #positioned;
  #positions;
  #unposition;
  #insert;
  #ensureSession;
  #update;
  #saveCheckpoint;
  constructor(database) {
    this.#checkpoint = database.prepare(CHECKPOINT_OF_BATCH);
    this.#existing = database.prepare(`SELECT ${COLUMNS2} FROM skill_invocation WHERE id = ?`);
    this.#positioned = database.prepare(`SELECT seq, id, ${INVOCATION_FIELDS.join(", ")} FROM skill_invocation WHERE seq >= ? AND seq < ?`).raw(true);
    this.#positions = database.prepare(POSITIONS_IN_RANGE).raw(true);
    this.#unposition = database.prepare("UPDATE skill_invocation SET seq = NULL WHERE id = ?");
    this.#insert = database.prepare(`INSERT INTO skill_invocation (${INSERT_COLUMNS})
       VALUES (${INSERT_COLUMN_NAMES.map((column) => column === "schema_version" ? SCHEMA_VERSION_WRITTEN : `@${column}`).join(", ")})
       ON CONFLICT (id) DO NOTHING`);
    this.#ensureSession = database.prepare(ENSURE_SESSION);
    this.#update = database.prepare(`UPDATE skill_invocation SET ${UPDATED_COLUMN_NAMES.map((column) => `${column} = @${column}`).join(", ")}
       WHERE id = @id`);
    this.#saveCheckpoint = database.prepare(SAVE_CHECKPOINT);
  }
  async checkpoint(firstSeq) {
    return this.#checkpoint.get(firstSeq);
  }
  async existing(ids) {
    const found = /* @__PURE__ */ new Map();
    for (const id of ids) {
      const row = this.#existing.get(id);
      if (row !== void 0)
        found.set(id, invocationOfRow(row));
    }
    return found;
  }
  /**
   * Compares the columns as they come, in arrays, each row found by its position: a row object,
   * a stored record and a map entry per record cost validation half its time and most of its
   * garbage. Only a row that looks different is read whole and compared properly (JSON text may
   * be spaced otherwise); a record not at its position is left to the lookup by id.
   */
  async differencesInRange(first, end, records) {
    const atPosition = new Array(end - first);
    for (const row of this.#positioned.all(first, end))
      atPosition[row[0] - first] = row;
    const absent = [];
    const differing = /* @__PURE__ */ new Map();
    for (const { id, index, record } of records) {
      const row = atPosition[index - first];
      if (row === void 0 || row[1] !== id)
        absent.push(id);
      else if (row[2] !== record.skill_name || row[3] !== record.invoked_at || row[4] !== record.workflow_path || row[5] !== (record.completed ? 1 : 0) || row[6] !== record.duration_seconds || row[7] !== JSON.stringify(record.follow_up_actions) || row[8] !== record.error_type) {
        const stored = invocationOfRow(this.#existing.get(id));
        if (!sameInvocation(stored, record))
          differing.set(id, stored);
      }
    }
    return { absent, differing };
  }
  async positionsInRange(first, end) {
    return this.#positions.all(first, end);
  }
  async unposition(ids) {
    for (const id of ids)
      this.#unposition.run(id);
  }
  async insertNew(records) {
    for (const session of sessionsOf(records))
      this.#ensureSession.run(session);
    const known = [];
    for (const record of records) {
      if (this.#insert.run(sqliteRowOf(record)).changes === 0)
        known.push(record);
    }
    return known;
  }
  async update(records) {
    for (const record of records)
      this.#update.run(sqliteRowOf(record));
  }
  async saveCheckpoint(batch, at) {
    this.#saveCheckpoint.run(batch.firstSeq, batch.span, batch.digest, at);
  }
};

// ../../packages/db-store/dist/store/store-connection.js
var BACKFILL_CACHE_KIB = 32 * 1024;
var StoreConnection = class _StoreConnection {
  dialect;
  #dataSource;
  /** better-sqlite3 has one connection per process: its transactions must not interleave. */
  #sqliteQueue = Promise.resolve();
  #sqliteBatches;
  #backfillSync = false;
  #epoch;
  constructor(dataSource, dialect, epoch) {
    this.#dataSource = dataSource;
    this.dialect = dialect;
    this.#epoch = epoch;
  }
  static async open(target, { busyTimeoutMs, epoch }) {
    const dataSource = await openDataSource(target, { busyTimeoutMs });
    return new _StoreConnection(dataSource, target.dialect, epoch);
  }
  async close() {
    await this.#dataSource.destroy();
  }
  async session(work) {
    const run = async () => {
      const sql = await SqlSession.open(this.#dataSource, this.dialect);
      try {
        return await work(sql);
      } finally {
        await sql.release();
      }
    };
    return this.dialect === "sqlite" ? this.#serialised(run) : run();
  }
  /** One write transaction. */
  async write(work) {
    return this.session(async (sql) => {
      await sql.begin();
      try {
        if (this.dialect === "postgres")
          await lockStoreWrites(sql);
        if (this.#epoch !== void 0)
          await checkEpoch(sql, this.#epoch);
        const result = await work(sql);
        await sql.commit();
        return result;
      } catch (error) {
        await sql.rollbackQuietly();
        throw error;
      }
    });
  }
  /** Bulk reads outside a transaction, over the same operations the bulk writes use. */
  async read(work) {
    if (this.dialect === "postgres") {
      return this.session((sql) => work(new PostgresBatchOperations(sql)));
    }
    return this.#serialised(() => work(this.#sqliteOperations()));
  }
  /**
   * One transaction around bulk operations: on SQLite over prepared statements on the connection
   * TypeORM holds (a dry run reads and rolls back), on PostgreSQL on a pooled session.
   */
  async batchTransaction(dryRun, work) {
    if (this.dialect === "postgres") {
      return this.write((sql) => work(new PostgresBatchOperations(sql)));
    }
    return this.#serialised(async () => {
      const operations = this.#sqliteOperations();
      const database = this.sqliteConnection();
      database.exec(dryRun ? "BEGIN" : "BEGIN IMMEDIATE");
      try {
        const result = await work(operations);
        database.exec(dryRun ? "ROLLBACK" : "COMMIT");
        return result;
      } catch (error) {
        if (database.inTransaction)
          database.exec("ROLLBACK");
        throw error;
      }
    });
  }
  /** The better-sqlite3 connection TypeORM holds: prepared statements for the bulk paths. */
  sqliteConnection() {
    return this.#dataSource.driver.databaseConnection;
  }
  /**
   * A batch of random uuid keys dirties a page per record, and WAL's defaults sync and copy those
   * pages back every 1,000 pages: measured 14 ms per commit of 1,000 records here, more than the
   * inserts. NORMAL keeps every commit atomic and survives a killed process; only a power cut can
   * lose the last commits, and a batch lost that way takes its checkpoint with it, so the next
   * run redoes it. A 64 MiB log between copies writes a hot page back once instead of once per
   * commit. Only a connection that runs the backfill relaxes this; live writes keep FULL.
   */
  relaxSyncForBackfill() {
    if (this.dialect !== "sqlite" || this.#backfillSync)
      return;
    const database = this.sqliteConnection();
    database.pragma("synchronous = NORMAL");
    database.pragma("wal_autocheckpoint = 16384");
    database.pragma(`cache_size = -${BACKFILL_CACHE_KIB}`);
    this.#backfillSync = true;
  }
  #sqliteOperations() {
    this.#sqliteBatches ??= new SqliteBatchOperations(this.sqliteConnection());
    return this.#sqliteBatches;
  }
  async #serialised(run) {
    const next = this.#sqliteQueue.then(run, run);
    this.#sqliteQueue = next.catch(() => {
    });
    return next;
  }
};

// ../../packages/db-store/dist/store/store-reads.js
async function* storedInvocations(connection, pageSize) {
  let after = -1;
  for (; ; ) {
    const rows = await connection.session((sql) => sql.rows(`SELECT ${invocationColumns(sql.dialect)} FROM skill_invocation WHERE seq > ? ORDER BY seq LIMIT ?`, [after, pageSize]));
    for (const row of rows)
      yield invocationOfRow(row);
    if (rows.length < pageSize)
      return;
    after = Number(rows.at(-1).seq);
  }
}
async function* storedInvocationIds(connection, pageSize) {
  let after = "";
  for (; ; ) {
    const rows = await connection.session((sql) => sql.rows("SELECT id FROM skill_invocation WHERE id > ? ORDER BY id LIMIT ?", [
      after,
      pageSize
    ]));
    for (const row of rows)
      yield row.id;
    if (rows.length < pageSize)
      return;
    after = rows.at(-1).id;
  }
}
async function invocationsOutside(connection, fileLength) {
  const rows = await connection.session((sql) => sql.rows(`SELECT ${invocationColumns(sql.dialect)} FROM skill_invocation WHERE seq IS NULL OR seq >= ?
       ORDER BY duration_seconds IS NULL, completion_seq IS NULL, completion_seq, seq IS NULL, seq, invoked_at, id`, [fileLength]));
  return rows.map(invocationOfRow);
}
async function skillAggregatesOf(connection) {
  const skills = await connection.session((sql) => readSkillAggregates(sql));
  return new Map(skills.map(({ aggregate }) => [aggregate.skill_name, aggregate]));
}
async function legacyDocumentOf(connection) {
  const invocations = [];
  for await (const invocation of storedInvocations(connection, 5e3))
    invocations.push(legacyRecordOf(invocation));
  const unpositioned = await connection.session((sql) => sql.rows(`SELECT ${invocationColumns(sql.dialect)} FROM skill_invocation WHERE seq IS NULL ORDER BY invoked_at, id`));
  for (const row of unpositioned)
    invocations.push(legacyRecordOf(invocationOfRow(row)));
  return {
    invocations,
    skills: await skillAggregatesOf(connection),
    last_updated: null,
    extra: []
  };
}
async function metricsOf(connection, only) {
  const skills = await skillAggregatesOf(connection);
  const durations = await completedDurations(connection, only);
  const metrics = /* @__PURE__ */ new Map();
  for (const [name, aggregate] of skills) {
    if (only === void 0 || only === name)
      metrics.set(name, toSkillMetrics(aggregate, durations.get(name) ?? []));
  }
  return metrics;
}
async function completedDurations(connection, only) {
  const rows = await connection.session((sql) => sql.rows(`SELECT skill_name, duration_seconds FROM skill_invocation
       WHERE completed = ? AND duration_seconds IS NOT NULL ${only === void 0 ? "" : "AND skill_name = ?"}
       ORDER BY skill_name, duration_seconds`, only === void 0 ? [sqlBoolean(sql.dialect, true)] : [sqlBoolean(sql.dialect, true), only]));
  const durations = /* @__PURE__ */ new Map();
  for (const row of rows) {
    const list = durations.get(row.skill_name);
    if (list === void 0)
      durations.set(row.skill_name, [Number(row.duration_seconds)]);
    else
      list.push(Number(row.duration_seconds));
  }
  return durations;
}
async function invocationCountOf(connection) {
  const [row] = await connection.session((sql) => sql.rows("SELECT COUNT(*) AS n FROM skill_invocation"));
  return Number(row.n);
}

// ../../packages/db-store/dist/store/summary-refresh.js
async function refreshSummary(connection, clock) {
  const skills = await skillAggregatesOf(connection);
  const summary = summarize(skills);
  const errors = /* @__PURE__ */ new Map();
  const paths = /* @__PURE__ */ new Map();
  for (const aggregate of skills.values()) {
    for (const [key, count] of aggregate.common_errors)
      errors.set(key, (errors.get(key) ?? 0) + count);
    for (const [key, count] of aggregate.workflow_paths)
      paths.set(key, (paths.get(key) ?? 0) + count);
  }
  await connection.write(async (sql) => {
    await refreshPercentiles(connection, sql, [...skills.keys()]);
    await sql.rows(`INSERT INTO skill_metrics_summary (refresh_time, total_skills, total_invocations, overall_completion_rate,
         most_used_skill, most_used_count, avg_duration_seconds, top_error_types, top_workflow_paths)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      new Date(clock.now().getTime()).toISOString(),
      summary.total_skills,
      summary.total_invocations,
      summary.overall_completion_rate,
      summary.most_used_skill,
      "most_used_count" in summary ? summary.most_used_count : 0,
      summary.avg_duration_seconds,
      stringifyCounter(new Map([...errors].sort((a, b) => b[1] - a[1]).slice(0, 10))),
      stringifyCounter(new Map([...paths].sort((a, b) => b[1] - a[1]).slice(0, 10)))
    ]);
  });
  return summary;
}

// ../../packages/db-store/dist/store/skill-metrics-store.js
var SkillMetricsStore = class _SkillMetricsStore {
  #db;
  #clock;
  /** The mode of files this store writes (exports): the legacy file's, given by the target. */
  #fileMode;
  constructor(db, clock, fileMode) {
    this.#db = db;
    this.#clock = clock;
    this.#fileMode = fileMode;
  }
  /** Opens the store; refuses (exit 4) while schema versions are pending, unless `migrate`. */
  static async open({ target, clock = systemClock, migrate = false, migrationsDir, busyTimeoutMs, epoch }) {
    await requireLatestSchema({
      target,
      migrationsDir,
      migrate,
      neededBy: "this version of skill-metrics"
    });
    const db = await StoreConnection.open(target, { busyTimeoutMs, epoch });
    return new _SkillMetricsStore(db, clock, target.fileMode);
  }
  async close() {
    await this.#db.close();
  }
  async trackInvocation(skillName, options = {}) {
    const { id, invocation } = await this.startInvocation(skillName, options);
    return completerOnce(invocation, (completion) => this.completeInvocation(id, completion));
  }
  /** Starts an invocation as pending and tells what another tracker needs to finish it. */
  async startInvocation(skillName, options = {}) {
    const invocation = {
      skill_name: skillName,
      invoked_at: options.invokedAt ?? toNaiveLocalIso(this.#clock.now()),
      workflow_path: options.workflowPath ?? null,
      completed: false,
      duration_seconds: null,
      follow_up_actions: [],
      error_type: null
    };
    const sessionId = options.sessionId ?? null;
    const { id, seq } = await this.#db.write((sql) => insertPending(sql, { ...invocation, session_id: sessionId }));
    return { id, seq, invocation, sessionId };
  }
  /**
   * Writes a new invocation as pending and returns its id: uuid v5 of its identity and its
   * occurrence among the stored records with the same skill, time and path (ARCHITECTURE §4).
   */
  async recordInvocation(invocation) {
    return (await this.#db.write((sql) => insertPending(sql, invocation))).id;
  }
  /**
   * Completes (or abandons) a stored invocation: forward only and exactly once. A second call for
   * the same id, a retry after a crash between commit and return included, changes nothing.
   */
  async completeInvocation(id, completion = {}) {
    await this.#db.write((sql) => completeStored(sql, id, completion, this.#clock));
  }
  async getSkillMetrics(skillName) {
    return (await metricsOf(this.#db, skillName)).get(skillName) ?? null;
  }
  async getAllMetrics() {
    return metricsOf(this.#db);
  }
  async getSummary() {
    return summarize(await this.skillAggregates());
  }
  async generateReport() {
    return renderReport(await this.skillAggregates());
  }
  /** Every stored invocation in file order, in pages: memory stays flat for any count. */
  invocations(pageSize = 5e3) {
    return storedInvocations(this.#db, pageSize);
  }
  /** The id of every stored invocation, those without a position in the file included. */
  invocationIds(pageSize = 1e4) {
    return storedInvocationIds(this.#db, pageSize);
  }
  /** The skills' aggregates in the legacy file's map order. */
  async skillAggregates() {
    return skillAggregatesOf(this.#db);
  }
  /** The legacy export layout (summary, skills, invocations, exported_at) from the database. */
  async exportMetrics(outputFile) {
    await writeFileDurably(outputFile, exportPieces(await this.legacyDocument(), toNaiveLocalIso(this.#clock.now())), { mode: this.#fileMode });
  }
  /**
   * What the database holds as a legacy document: every invocation in the file's order, then
   * those without a position (records the file had dropped), oldest first; every skill in the
   * map's order. A rollback regenerates the legacy file from it.
   */
  async legacyDocument() {
    return legacyDocumentOf(this.#db);
  }
  /**
   * Upserts invocations by id, each only moving forward (pending → completed or abandoned), as
   * live writes do. Aggregates are not touched: `setSkillAggregates` sets them from the same
   * snapshot.
   */
  async upsertInvocations(records) {
    if (records.length === 0)
      return { inserted: 0, updated: 0, unchanged: 0 };
    const { behind: _behind, ...result } = await this.#db.batchTransaction(false, (operations) => upsertWith(operations, records, movesForward, false));
    return result;
  }
  /**
   * The stored invocations the legacy file has no place for: without a position (a sync found
   * the file no longer held them there) or past its last record (`fileLength`). Completed ones
   * first, in completion order, then pending ones, oldest first.
   */
  async invocationsOutsideFile(fileLength) {
    return invocationsOutside(this.#db, fileLength);
  }
  /**
   * Gives a stored invocation the id its record derives in the legacy file: a record put back
   * into the file after others with the same skill, time and path counts another occurrence.
   */
  async renameInvocation(from, to) {
    await this.#db.write((sql) => sql.rows("UPDATE skill_invocation SET id = ? WHERE id = ?", [to, from]));
  }
  /**
   * Adds records another writer put into the legacy file after cutover, as live writes would
   * have: each gets the next position, a completed one moves its skill's aggregates (a skill
   * the database lacks is added at the end). One transaction: all of them or none.
   */
  async importInvocations(records) {
    if (records.length === 0)
      return;
    await this.#db.write(async (sql) => {
      for (const record of records) {
        const { id } = await insertPending(sql, { ...record, session_id: null });
        if (!completerRan(record))
          continue;
        await completeStored(sql, id, {
          completed: record.completed,
          followUpActions: record.follow_up_actions,
          errorType: record.error_type,
          durationSeconds: record.duration_seconds ?? void 0
        }, this.#clock);
      }
    });
  }
  /** The stored invocations with these ids (a set lookup per batch, never a query per record). */
  async invocationsById(ids) {
    return this.#db.read((operations) => operations.existing(ids));
  }
  /**
   * Which of the file's records at positions first ≤ seq < end the database holds otherwise:
   * how validation reads a batch, one range scan instead of a lookup per id.
   */
  async differencesInRange(first, end, records) {
    return this.#db.read((operations) => operations.differencesInRange(first, end, records));
  }
  async invocationCount() {
    return invocationCountOf(this.#db);
  }
  /**
   * Makes the database equal to one batch of the legacy file (JSON wins) in one transaction with
   * the batch's checkpoint, or skips it when its checkpoint matches: what `data migrate` runs.
   */
  async syncBatch(batch, { dryRun = false } = {}) {
    const at = toNaiveLocalIso(this.#clock.now());
    this.#db.relaxSyncForBackfill();
    return this.#db.batchTransaction(dryRun, (operations) => syncBatchWith(operations, batch, { dryRun, at }));
  }
  /** Forgets every batch checkpoint, so the next `syncBatch` of each batch compares its records. */
  async clearBackfillCheckpoints() {
    await this.#db.write((sql) => sql.rows("DELETE FROM backfill_batch"));
  }
  /**
   * Sets skills' aggregates to exactly the given values (the legacy file's, history whose records
   * were pruned included) and refreshes their percentile columns. Replaying it changes nothing.
   */
  async setSkillAggregates(baselines) {
    await this.#db.write(async (sql) => {
      for (const { name, position, aggregate, lastCompletionSeq = null } of baselines) {
        await saveSkill(sql, name, aggregate, position, lastCompletionSeq);
      }
      for (const { name, completedDurations: completedDurations2 } of baselines) {
        if (completedDurations2 !== void 0) {
          await savePercentiles(sql, name, completedDurations2);
        }
      }
      await refreshPercentiles(this.#db, sql, baselines.filter((baseline) => baseline.completedDurations === void 0).map((baseline) => baseline.name));
    });
  }
  /** Records the current summary in `skill_metrics_summary` (the original's materialised view). */
  async refreshSummary() {
    return refreshSummary(this.#db, this.#clock);
  }
};

export {
  SQLITE_BUSY_TIMEOUT_MS,
  loadTypeorm,
  createDataSource,
  ROLLBACK_MARKER,
  NO_TRANSACTION_DIRECTIVE,
  BUNDLED_MIGRATIONS_DIR,
  DEFAULT_SCHEMA_LOCK_TIMEOUT_MS,
  SchemaRunner,
  PhaseStore,
  storedRecordOf,
  legacyRecordOf,
  importLegacyDocument,
  SkillMetricsStore
};
