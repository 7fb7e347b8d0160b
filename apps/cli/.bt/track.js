import {
  DB_TRUTH_PHASES,
  DEFAULT_FREEZE_TIMEOUT_MS,
  DEFAULT_RETENTION_DAYS,
  JsonFileTracker,
  ROLLBACK_TARGETS,
  phaseCopyPathOf,
  readPhaseCopy,
  recordMismatch,
  recordMiss,
  settledPhaseCopy
} from "./chunk-CEBUQHIG.js";
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_DATABASE_URL,
  ExitCode,
  InterruptedError,
  RefusedError,
  SkillMetricsError,
  StaleEpochError,
  UsageError,
  answerDiffs,
  asDatabaseFailure,
  canonicalDatabaseUrl,
  completerOnce,
  exitCodeOf,
  external_exports,
  modeForFilesBeside,
  naiveIsoSecondsBefore,
  parseDatabaseUrl,
  plainValue,
  pyJson,
  requireLastingDatabase,
  sameAnswer
} from "./chunk-IJ4VH45E.js";

// dist/commands/track.js
import { Args } from "@oclif/core";

// ../../packages/migration/dist/phases/legacy-binding.js
import { access } from "node:fs/promises";
async function databaseOfLegacyFile(jsonFile, given) {
  const copy = await readPhaseCopy(jsonFile).catch(() => null);
  const recorded = copy?.database;
  if (given === void 0) {
    return recorded === void 0 ? parseDatabaseUrl(DEFAULT_DATABASE_URL) : parseDatabaseUrl(recorded, process.cwd(), phaseCopyPathOf(jsonFile));
  }
  const target = parseDatabaseUrl(given);
  const named = canonicalDatabaseUrl(target);
  if (recorded === void 0 || copy?.phase === "json-only" || named === recorded)
    return target;
  throw new RefusedError(`--db ${named} is not the database ${jsonFile} migrates to: ${recorded} (recorded in ${phaseCopyPathOf(jsonFile)} by the last phase command)`, {
    nextStep: `Leave out --db and SKILL_METRICS_DB to use ${recorded}, or check --json-file and the current directory.`
  });
}
async function missingLegacyFileWarning(jsonFile) {
  const exists = await access(jsonFile).then(() => true, () => false);
  if (exists || (await readPhaseCopy(jsonFile).catch(() => null))?.phase === "cleaned")
    return null;
  return `no legacy file at ${jsonFile}: check --json-file (SKILL_METRICS_JSON_FILE) and the current directory`;
}

// ../../packages/migration/dist/trackers/dual-write-tracker.js
var DUAL_WRITE_TIMEOUT_MS = 2e3;
var DualWriteTracker = class {
  #json;
  #openStore;
  #timeoutMs;
  #onMiss;
  #store;
  /** `onMiss` hears of each database write missed, once it is recorded (`track` warns with it). */
  constructor(json, openStore2, timeoutMs = DUAL_WRITE_TIMEOUT_MS, onMiss) {
    this.#json = json;
    this.#openStore = openStore2;
    this.#timeoutMs = timeoutMs;
    this.#onMiss = onMiss;
  }
  async trackInvocation(skillName, options = {}) {
    const started = await this.start(skillName, options);
    return completerOnce(started.invocation, (completion) => this.finish(started, completion));
  }
  /** Starts an invocation in the legacy file, then mirrors it to the database. */
  async start(skillName, options = {}) {
    const { id, seq, invocation } = await this.#json.startInvocation(skillName, options);
    const sessionId = options.sessionId ?? null;
    await this.#mirror(id, "start", invocation, (store) => store.recordInvocation({
      id,
      seq,
      skill_name: invocation.skill_name,
      invoked_at: invocation.invoked_at,
      workflow_path: invocation.workflow_path,
      session_id: sessionId
    }));
    return { id, seq, invocation, sessionId };
  }
  /**
   * Completes an invocation in the legacy file, then in the database with the file's duration and
   * completion order. One the database never saw started cannot complete there: that is a miss,
   * repaired by the next `data migrate` like any other.
   */
  async finish(started, completion = {}) {
    const finished = await this.#json.completeStarted(started.invocation, started.seq, completion);
    await this.#mirror(started.id, "complete", finished.invocation, (store) => store.completeInvocation(started.id, {
      completed: finished.invocation.completed,
      followUpActions: finished.invocation.follow_up_actions,
      errorType: finished.invocation.error_type,
      durationSeconds: finished.invocation.duration_seconds ?? void 0,
      completionSeq: finished.completionSeq
    }));
  }
  getSkillMetrics(skillName) {
    return this.#json.getSkillMetrics(skillName);
  }
  getAllMetrics() {
    return this.#json.getAllMetrics();
  }
  getSummary() {
    return this.#json.getSummary();
  }
  generateReport() {
    return this.#json.generateReport();
  }
  exportMetrics(outputFile) {
    return this.#json.exportMetrics(outputFile);
  }
  async close() {
    const store = await this.#store?.catch(() => void 0);
    await store?.close();
  }
  /** Runs one database write within the bound; true when it landed, false when a miss was recorded. */
  async #mirror(invocationId, operation, record, write) {
    try {
      await this.withStore(write);
      return true;
    } catch (error) {
      await this.#miss(invocationId, operation, error.message, record);
      return false;
    }
  }
  /**
   * Runs `work` on this tracker's store within the dual-write bound; rejects when the database
   * fails or does not answer in time. Dual-read reads through it, so one store serves both.
   */
  async withStore(work) {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the database did not answer within ${this.#timeoutMs} ms`)), this.#timeoutMs);
    });
    try {
      const store = await Promise.race([this.#opened(), timeout]);
      return await Promise.race([work(store), timeout]);
    } catch (error) {
      if (this.#store !== void 0 && await this.#store.then(() => false, () => true))
        this.#store = void 0;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
  /** The store, opened once; a failed open is forgotten so the next write tries again. */
  #opened() {
    if (this.#store === void 0) {
      const opening = this.#openStore();
      this.#store = opening;
      opening.catch(() => {
        if (this.#store === opening)
          this.#store = void 0;
      });
    }
    return this.#store;
  }
  async #miss(invocationId, operation, error, record) {
    const miss = {
      at: (/* @__PURE__ */ new Date()).toISOString(),
      invocation_id: invocationId,
      operation,
      error,
      record
    };
    try {
      await recordMiss(this.#json.file, miss);
    } catch (failure) {
      console.error(`skill-metrics: could not record a dual-write miss ${JSON.stringify(miss)}: ${failure.message}`);
    }
    this.#onMiss?.(miss);
  }
};

// ../../packages/migration/dist/trackers/dual-read-tracker.js
var RECHECK_DELAYS_MS = [100, 200, 300];
var DualReadTracker = class {
  #json;
  #writer;
  #timeoutMs;
  constructor(json, openStore2, timeoutMs = DUAL_WRITE_TIMEOUT_MS, onMiss) {
    this.#json = json;
    this.#writer = new DualWriteTracker(json, openStore2, timeoutMs, onMiss);
    this.#timeoutMs = timeoutMs;
  }
  /** Where this phase's writes go: the dual-write tracker whose store the reads share. */
  get writes() {
    return this.#writer;
  }
  trackInvocation(skillName, options) {
    return this.#writer.trackInvocation(skillName, options);
  }
  getSkillMetrics(skillName) {
    return this.#compared("getSkillMetrics", skillName, (tracker) => tracker.getSkillMetrics(skillName), (json, db) => skillDiffs(json, db, ""));
  }
  getAllMetrics() {
    return this.#compared("getAllMetrics", null, (tracker) => tracker.getAllMetrics(), metricsDiffs);
  }
  getSummary() {
    return this.#compared("getSummary", null, (tracker) => tracker.getSummary(), answerDiffs);
  }
  generateReport() {
    return this.#compared("generateReport", null, (tracker) => tracker.generateReport(), (json, db) => json === db ? [] : [{ field: "report", json, db }]);
  }
  /** An export is a copy of the source of truth, not an answer to compare. */
  exportMetrics(outputFile) {
    return this.#json.exportMetrics(outputFile);
  }
  close() {
    return this.#writer.close();
  }
  async #compared(read, subject, answer, diff) {
    const deadline = performance.now() + this.#timeoutMs;
    for (let recheck = 0; ; recheck += 1) {
      const json = await answer(this.#json);
      let db;
      try {
        db = await this.#writer.withStore(answer);
      } catch (error) {
        await this.#record({
          read,
          subject,
          kind: "error",
          json: null,
          db: null,
          error: error.message
        });
        return json;
      }
      const diffs = diff(json, db);
      if (diffs.length === 0)
        return json;
      const delay = RECHECK_DELAYS_MS[recheck];
      if (delay === void 0 || performance.now() + delay > deadline) {
        await this.#record({
          read,
          subject,
          kind: "mismatch",
          json: plainValue(json),
          db: plainValue(db),
          diffs
        });
        return json;
      }
      await new Promise((resolve2) => setTimeout(resolve2, delay));
    }
  }
  async #record(entry) {
    const mismatch = { at: (/* @__PURE__ */ new Date()).toISOString(), ...entry };
    try {
      await recordMismatch(this.#json.file, mismatch);
    } catch (failure) {
      console.error(`skill-metrics: could not record a dual-read ${entry.kind} ${JSON.stringify(mismatch)}: ${failure.message}`);
    }
  }
};
function skillDiffs(json, db, prefix) {
  if (json === null || db === null)
    return json === db ? [] : [{ field: `${prefix}skill`, json: plainValue(json), db: plainValue(db) }];
  return answerDiffs(json, db, prefix);
}
function metricsDiffs(json, db) {
  const order = sameAnswer([...json.keys()], [...db.keys()]) ? [] : [{ field: "skills", json: [...json.keys()], db: [...db.keys()] }];
  return [
    ...order,
    ...[.../* @__PURE__ */ new Set([...json.keys(), ...db.keys()])].flatMap((name) => skillDiffs(json.get(name) ?? null, db.get(name) ?? null, `${name}.`))
  ];
}

// ../../packages/migration/dist/trackers/open-tracker.js
var REOPEN_ATTEMPTS = 3;
async function openStore(options) {
  const { SkillMetricsStore } = await import("./dist-UESP5553.js");
  return SkillMetricsStore.open(options);
}
async function loadStoreCode() {
  const { loadTypeorm } = await import("./dist-UESP5553.js");
  await loadTypeorm();
}
async function recordInvocation(options, skillName, track, completion) {
  const misses = [];
  const tracker = new PhaseFollowingTracker({ ...options, onMiss: (miss) => misses.push(miss) });
  try {
    const complete = await tracker.trackInvocation(skillName, track);
    await complete(completion);
    const phase = tracker.phase;
    const missed = misses.at(-1)?.error ?? null;
    return {
      phase,
      file: DB_TRUTH_PHASES.includes(phase) ? null : options.jsonFile,
      database: phase === "json-only" || missed !== null ? null : options.db.display,
      missed
    };
  } finally {
    await tracker.close();
  }
}
var PhaseFollowingTracker = class {
  #options;
  #current;
  /** Trackers of earlier phases, closed with this one. */
  #retired = [];
  constructor(options) {
    this.#options = options;
  }
  /** The phase of the trackers that made the last write (json-only before any). */
  get phase() {
    return this.#current?.copy.phase ?? "json-only";
  }
  async reopen() {
    const copy = await settledPhaseCopy(this.#options) ?? { phase: "json-only", epoch: 0 };
    if (this.#current !== void 0)
      this.#retired.push(this.#current.reader);
    this.#current = await trackersFor(copy.phase, copy.epoch, this.#options);
  }
  async trackInvocation(skillName, options = {}) {
    const started = await this.#write((writer) => writer.start(skillName, options));
    return completerOnce(started.invocation, (completion) => this.#write((writer) => writer.finish(started, completion)));
  }
  async getSkillMetrics(skillName) {
    return (await this.#reader()).getSkillMetrics(skillName);
  }
  async getAllMetrics() {
    return (await this.#reader()).getAllMetrics();
  }
  async getSummary() {
    return (await this.#reader()).getSummary();
  }
  async generateReport() {
    return (await this.#reader()).generateReport();
  }
  async exportMetrics(outputFile) {
    return (await this.#reader()).exportMetrics(outputFile);
  }
  async close() {
    for (const tracker of [...this.#retired, this.#current?.reader])
      await tracker?.close();
  }
  /** A write on the current phase's writer, made again on the next phase's when it moved. */
  async #write(work) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        if (this.#current === void 0)
          await this.reopen();
        return await work(this.#current.writer);
      } catch (error) {
        if (!(error instanceof StaleEpochError) || attempt >= REOPEN_ATTEMPTS)
          throw error;
        await this.reopen();
      }
    }
  }
  /** Reads follow the phase too: the copy is read (a small file) and a moved phase reopens. */
  async #reader() {
    const copy = await readPhaseCopy(this.#options.jsonFile);
    const current = this.#current?.copy;
    if (current === void 0 || copy?.transitioning === true || (copy?.epoch ?? 0) !== current.epoch) {
      await this.reopen();
    }
    return this.#current.reader;
  }
};
async function trackersFor(phase, epoch, options) {
  const copy = { phase, epoch };
  const dualWriteTimeoutMs = options.dualWriteTimeoutMs ?? DUAL_WRITE_TIMEOUT_MS;
  const dualWriteTarget = {
    ...options.db,
    connectTimeoutMs: Math.min(options.db.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, dualWriteTimeoutMs)
  };
  const openDualWriteStore = () => openStore({ target: dualWriteTarget, busyTimeoutMs: dualWriteTimeoutMs });
  const json = new JsonFileTracker({
    file: options.jsonFile,
    lockTimeoutMs: options.lockTimeoutMs,
    beforeWrite: async () => {
      const now = await readPhaseCopy(options.jsonFile);
      if ((now?.epoch ?? 0) !== epoch || now?.transitioning === true) {
        throw new StaleEpochError(`the phase moved from ${phase} (epoch ${epoch}) to ${now?.phase ?? "json-only"} (epoch ${now?.epoch ?? 0})`);
      }
    }
  });
  switch (phase) {
    case "json-only":
      return {
        copy,
        reader: json,
        writer: {
          start: async (skillName, trackOptions) => {
            const { id, seq, invocation } = await json.startInvocation(skillName, trackOptions);
            return { id, seq, invocation, sessionId: trackOptions.sessionId ?? null };
          },
          finish: async (started, completion) => {
            await json.completeStarted(started.invocation, started.seq, completion);
          }
        }
      };
    case "dual-write":
    case "migrated": {
      await loadStoreCode();
      const dual = new DualWriteTracker(json, openDualWriteStore, dualWriteTimeoutMs, options.onMiss);
      return { copy, reader: dual, writer: dual };
    }
    case "dual-read": {
      await loadStoreCode();
      const dual = new DualReadTracker(json, openDualWriteStore, dualWriteTimeoutMs, options.onMiss);
      return { copy, reader: dual, writer: dual.writes };
    }
    case "db-primary":
    case "cleaned": {
      const store = await openStore({ target: options.db, epoch });
      return {
        copy,
        reader: store,
        writer: {
          start: (skillName, trackOptions) => store.startInvocation(skillName, trackOptions),
          finish: (started, completion) => store.completeInvocation(started.id, completion)
        }
      };
    }
  }
}

// dist/base-command.js
import { resolve } from "node:path";
import { Command, Errors, ux } from "@oclif/core";

// dist/flags.js
import { Flags } from "@oclif/core";
var DEFAULT_JSON_FILE = ".session-buddy/skill_metrics.json";
var globalFlags = {
  "json-file": Flags.string({
    summary: "The legacy JSON metrics file (relative paths resolve against the current directory).",
    env: "SKILL_METRICS_JSON_FILE",
    default: DEFAULT_JSON_FILE,
    helpGroup: "GLOBAL"
  }),
  // No oclif default: a command must tell a --db it was given from none, to use the database
  // recorded beside the legacy file instead.
  db: Flags.string({
    summary: `Database URL: sqlite:PATH, sqlite::memory: or postgres://USER@HOST/DB (default: the one the last phase command recorded beside the legacy file, else ${DEFAULT_DATABASE_URL}).`,
    env: "SKILL_METRICS_DB",
    helpGroup: "GLOBAL"
  }),
  "connect-timeout": Flags.string({
    summary: `Seconds to wait for the PostgreSQL server to answer a connection before giving up with exit 4 (default ${DEFAULT_CONNECT_TIMEOUT_MS / 1e3}).`,
    env: "SKILL_METRICS_CONNECT_TIMEOUT",
    helpGroup: "GLOBAL"
  })
};
var dryRunFlag = Flags.boolean({
  summary: "Print what would run; write nothing, not even the database file."
});
var forceFlags = {
  force: Flags.boolean({
    summary: "Override a failed guard (needs --reason; recorded).",
    dependsOn: ["reason"]
  }),
  reason: Flags.string({ summary: "Why: recorded in the audit history." })
};
var yesFlag = Flags.boolean({
  summary: "Do not ask for confirmation on a terminal (nothing is asked without one)."
});
var sourceFlags = {
  source: Flags.option({
    summary: "Where to read from: the legacy JSON file or the database (default: what the phase reads from).",
    options: ["json", "db"]
  })()
};
var trackFlags = {
  "workflow-path": Flags.string({ summary: "The workflow path the skill took." }),
  abandoned: Flags.boolean({ summary: "Record the invocation as abandoned, not completed." }),
  "error-type": Flags.string({ summary: "The error that ended it." }),
  "follow-up": Flags.string({
    summary: "A follow-up action (repeat the flag for more; duplicates count).",
    multiple: true,
    multipleNonGreedy: true
  }),
  duration: Flags.string({ summary: "How many seconds ago it started (default 0)." }),
  "lock-timeout": Flags.integer({
    summary: "Seconds to wait for the writers' lock before giving up with exit 4 (default 30).",
    min: 0
  })
};
var generateFlags = {
  invocations: Flags.integer({ summary: "How many invocations.", required: true }),
  skills: Flags.integer({ summary: "How many distinct skills (default 20)." }),
  seed: Flags.integer({
    summary: "Random seed (default 1): the same seed writes the same file."
  }),
  force: Flags.boolean({ summary: "Overwrite OUT when it exists." })
};
var phaseFlags = {
  ...forceFlags,
  "dry-run": dryRunFlag
};
var dualWriteFlags = {
  ...phaseFlags,
  "allow-empty": Flags.boolean({
    summary: "Start from an empty tracker when the legacy file does not exist (recorded); without it that is refused, as a mistyped path would be."
  })
};
var dataMigrateFlags = {
  force: Flags.boolean({
    summary: "Go on though the database serves another legacy file, this one having moved there (needs --reason; recorded).",
    dependsOn: ["reason"]
  }),
  reason: forceFlags.reason,
  final: Flags.boolean({
    summary: "Hold the writers' lock for the whole run: the database equals the file when it ends."
  }),
  "batch-size": Flags.integer({
    summary: "Records per transaction and per checkpoint (default 20000); keep it the same between runs so a rerun can skip the batches already in sync.",
    min: 1,
    max: 1e5
  }),
  "dry-run": dryRunFlag
};
var dataValidateFlags = {
  report: Flags.string({
    summary: "Write the full comparison (every difference with its fields) to this JSON file."
  }),
  ...forceFlags,
  "dry-run": Flags.boolean({
    summary: "Compare and report only: record no validation, move no phase, keep the checkpoints of data migrate."
  })
};
var cutoverFlags = {
  "freeze-timeout": Flags.integer({
    summary: `Seconds writers may be held waiting during the final sync (default ${DEFAULT_FREEZE_TIMEOUT_MS / 1e3}); past it nothing changes.`,
    min: 1,
    max: 600
  }),
  force: Flags.boolean({
    summary: "Cut over though the free-space or foreign-writer check fails, or the legacy file moved from where the database has it (needs --reason; recorded).",
    dependsOn: ["reason"]
  }),
  reason: forceFlags.reason,
  "dry-run": dryRunFlag
};
var rollbackFlags = {
  to: Flags.option({
    summary: "The phase to go back to (default dual-write).",
    options: ROLLBACK_TARGETS
  })(),
  force: Flags.boolean({
    summary: "Roll back though the free-space check fails, or the legacy file moved from where the database has it (needs --reason; recorded).",
    dependsOn: ["reason"]
  }),
  reason: Flags.string({ summary: "Why, recorded in the phase history." }),
  "dry-run": dryRunFlag
};
var cleanupFlags = {
  "retention-days": Flags.string({
    summary: `Days that must pass since cutover (default ${DEFAULT_RETENTION_DAYS}; fewer counts as forcing: --force --reason).`
  }),
  ...forceFlags,
  yes: yesFlag,
  "dry-run": dryRunFlag
};
var schemaFlags = {
  "migrations-dir": Flags.string({
    summary: "Use the migrations in this folder instead of the ones shipped with skill-metrics."
  }),
  "lock-timeout": Flags.integer({
    summary: "Seconds to wait for another runner holding the schema lock (default 60).",
    min: 0
  })
};
var schemaMigrateFlags = {
  ...schemaFlags,
  target: Flags.integer({ summary: "Stop at this version (default: the latest).", min: 0 }),
  "dry-run": dryRunFlag
};
var schemaRollbackFlags = {
  ...schemaFlags,
  to: Flags.integer({
    summary: "The version to return to (0 for an empty schema).",
    required: true,
    min: 0
  }),
  force: Flags.boolean({
    summary: "Roll back below the version the current phase needs (needs --reason; recorded as forced).",
    dependsOn: ["reason"]
  }),
  reason: Flags.string({
    summary: "Why: recorded in schema_migrations_audit and the phase history."
  }),
  yes: yesFlag,
  "dry-run": dryRunFlag
};
var schemaBaselineFlags = {
  ...schemaFlags,
  version: Flags.integer({
    summary: "The version the existing schema is at.",
    required: true,
    min: 1
  }),
  "dry-run": dryRunFlag
};
var schemaRepairFlags = {
  ...schemaFlags,
  realign: Flags.integer({
    summary: "Accept the current file of this applied version (repeatable).",
    multiple: true,
    min: 1
  }),
  "dry-run": dryRunFlag
};

// dist/inputs.js
var durationSchema = external_exports.coerce.number().refine(Number.isFinite).nonnegative();
var retentionDaysSchema = external_exports.coerce.number().int().nonnegative();
var connectTimeoutSchema = external_exports.coerce.number().refine(Number.isFinite).positive().max(600);
function parseDuration(text) {
  if (text === void 0)
    return 0;
  return parseNumber(durationSchema, text, "--duration must be a finite number of seconds \u2265 0");
}
function parseConnectTimeoutMs(text) {
  if (text === void 0)
    return void 0;
  const refusal = "--connect-timeout (SKILL_METRICS_CONNECT_TIMEOUT) must be seconds, more than 0 and at most 600";
  return parseNumber(connectTimeoutSchema, text, refusal) * 1e3;
}
function parseNumber(schema, text, refusal) {
  const result = schema.safeParse(text.trim() === "" ? Number.NaN : text);
  if (result.success)
    return result.data;
  throw new UsageError(`${refusal}, got ${JSON.stringify(text)}`);
}
function millisecondsOf(seconds) {
  return seconds === void 0 ? void 0 : seconds * 1e3;
}

// dist/base-command.js
var BaseCommand = class extends Command {
  static enableJsonFlag = true;
  static baseFlags = globalFlags;
  /**
   * What a command writes to the database must outlive the process, so it refuses an in-memory
   * SQLite database. One that never writes it (reads, status, health) may take one: the database
   * is empty, but nothing is lost, and `summary` reads the legacy file before any phase anyway.
   */
  static writesDatabase = true;
  /**
   * Commands that read the legacy file warn on stderr when it does not exist: a mistyped
   * `--json-file`, or the wrong folder, reads as an empty tracker.
   */
  static readsLegacyFile = false;
  flags;
  args;
  /** `--json-file`, absolute. */
  jsonFile;
  database;
  /**
   * The result `printJson` was given, printed when the command ends: a run that fails after it
   * has a result (rejected records, differences, failed checks) prints one document, the result
   * with the error in it, so stdout always parses as a single JSON value.
   */
  #jsonResult;
  async init() {
    await super.init();
    let parsed;
    try {
      parsed = await this.parse(this.ctor);
    } catch (error) {
      if (error instanceof SkillMetricsError)
        throw error;
      throw new UsageError(error instanceof Error ? error.message : String(error), { cause: error });
    }
    this.flags = parsed.flags;
    this.args = parsed.args;
    this.jsonFile = resolve(this.flags["json-file"]);
    this.database = {
      ...await databaseOfLegacyFile(this.jsonFile, this.flags.db),
      fileMode: await modeForFilesBeside(this.jsonFile),
      connectTimeoutMs: parseConnectTimeoutMs(this.flags["connect-timeout"])
    };
    const ctor = this.ctor;
    if (ctor.writesDatabase)
      requireLastingDatabase(this.database);
    if (ctor.readsLegacyFile) {
      const warning = await missingLegacyFileWarning(this.jsonFile);
      if (warning !== null)
        ux.stderr(`Warning: ${warning}`);
    }
  }
  /**
   * A dry run whose real run would be refused says so with the refusal's exit code (4), so a
   * script can try a step before it takes it; nothing was changed, and the checks were printed.
   */
  refuseLikeTheRealRun(wouldRefuse) {
    if (wouldRefuse === void 0)
      return;
    throw new RefusedError(`dry run: the real run would be refused: ${wouldRefuse}`, {
      nextStep: "Nothing was changed. Fix what failed, or pass --force --reason R where it may be passed."
    });
  }
  /**
   * The result under `--json`, printed once the command ends (with the error in it if it then
   * fails): ordered JSON values (Maps) exactly as Python would.
   */
  printJson(value) {
    this.#jsonResult = value;
  }
  async finally(error) {
    await super.finally(error);
    if (error === void 0 && this.#jsonResult !== void 0)
      printDocument(this.#jsonResult);
  }
  async catch(caught) {
    const thrown = caught instanceof Error ? caught : new Error(String(caught));
    const exitCode = this.#report(this.#known(thrown), thrown);
    process.exitCode = exitCode;
    throw new Errors.ExitError(exitCode);
  }
  /**
   * For a long command: on SIGINT or SIGTERM (Ctrl-C, a service manager, a CI time-out) the run
   * ends at once with what `progress` says was done, the exact command to rerun, and exit 130 or
   * 143 (one JSON document under --json). It does not wait for the step under way: every such
   * command keeps what it committed and is safe to stop anywhere and rerun, as after kill -9.
   * `beforeExit` puts the terminal back (a progress bar).
   */
  stopOnSignal(progress, beforeExit) {
    const stop = (signal) => {
      beforeExit?.();
      const error = new InterruptedError(signal, `${this.id?.replaceAll(":", " ")} stopped by ${signal}: ${progress()}`, {
        nextStep: `Rerun: ${this.#rerunCommand()}`
      });
      process.exit(this.#report(error, error));
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  }
  /** Prints a failure: one JSON document under --json, else the message and next step on stderr. */
  #report(error, thrown) {
    const exitCode = exitCodeOf(error);
    const nextStep = error instanceof SkillMetricsError ? error.nextStep : void 0;
    if (this.jsonEnabled()) {
      const body = {
        code: error instanceof SkillMetricsError ? error.code : "BUG",
        message: error.message,
        nextStep: nextStep ?? null,
        exitCode
      };
      printDocument(withError(this.#jsonResult, body));
    }
    if (exitCode === ExitCode.bug) {
      ux.stderr(`Bug: ${thrown.stack ?? thrown.message}`);
    } else if (!this.jsonEnabled()) {
      ux.stderr(`Error: ${error.message}`);
      if (nextStep !== void 0)
        ux.stderr(`Next step: ${nextStep}`);
      if (process.env.DEBUG)
        ux.stderr(stackOf(error));
    }
    return exitCode;
  }
  /** This run's command line as typed, quoted for a POSIX shell. */
  #rerunCommand() {
    return [this.config.bin, ...(this.id ?? "").split(":"), ...this.argv].map((word) => /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`).join(" ");
  }
  /** Our errors as they are; oclif's usage errors translated; the rest are bugs. */
  #known(error) {
    if (error instanceof SkillMetricsError)
      return error;
    const databaseFailure = this.database === void 0 ? error : asDatabaseFailure(error, this.database);
    if (databaseFailure !== error)
      return databaseFailure;
    if (error instanceof Errors.CLIError && error.oclif.exit === ExitCode.usage) {
      return new UsageError(error.message, { cause: error });
    }
    return error;
  }
};
function printDocument(document) {
  ux.stdout(document instanceof Map ? pyJson(document) : JSON.stringify(document, null, 2));
}
function withError(result, error) {
  if (result instanceof Map)
    return new Map([...result, ["error", new Map(Object.entries(error))]]);
  if (typeof result === "object" && result !== null && !Array.isArray(result))
    return { ...result, error };
  return { error };
}
function stackOf(error) {
  const own = error instanceof Error ? error.stack ?? error.message : String(error);
  const cause = error instanceof Error ? error.cause : void 0;
  return cause === void 0 ? own : `${own}
Caused by: ${stackOf(cause)}`;
}

// dist/track-output.js
function trackText(tracked) {
  const stores = [tracked.file, tracked.database && `the database ${tracked.database}`].filter((store) => store !== null).join(" and ");
  return `${tracked.completed ? "Completed" : "Abandoned"} ${tracked.skill_name} (invoked at ${tracked.invoked_at}, ${tracked.duration_seconds} s) in ${stores}`;
}
function missedWarning(why) {
  return `Warning: the database missed this write; \`skill-metrics data migrate\` repairs it (${why.replaceAll("\n", " ")})`;
}

// dist/commands/track.js
var Track = class extends BaseCommand {
  static summary = "Record one invocation of a skill, started --duration seconds ago.";
  static examples = [
    "<%= config.bin %> <%= command.id %> code-review --workflow-path quick --duration 12.5",
    "<%= config.bin %> <%= command.id %> pytest-runner --abandoned --error-type TimeoutError --follow-up rerun"
  ];
  static args = {
    skill: Args.string({ description: "The skill that ran.", required: true })
  };
  static flags = trackFlags;
  async run() {
    const { skill } = this.args;
    const { flags } = this;
    const duration = parseDuration(flags.duration);
    const invokedAt = naiveIsoSecondsBefore(/* @__PURE__ */ new Date(), duration);
    const completed = !flags.abandoned;
    const lockTimeoutMs = millisecondsOf(flags["lock-timeout"]);
    const written = await recordInvocation({ jsonFile: this.jsonFile, db: this.database, lockTimeoutMs }, skill, { workflowPath: flags["workflow-path"] ?? null, invokedAt }, {
      completed,
      followUpActions: flags["follow-up"] ?? [],
      errorType: flags["error-type"] ?? null,
      // The duration given, not the time since `invokedAt`: start-up and a wait for the lock
      // are not the skill's.
      durationSeconds: duration
    });
    if (written.missed !== null)
      this.logToStderr(missedWarning(written.missed));
    const tracked = {
      skill_name: skill,
      invoked_at: invokedAt,
      duration_seconds: duration,
      completed,
      ...written
    };
    if (this.jsonEnabled())
      this.printJson(tracked);
    else
      this.log(trackText(tracked));
  }
};
export {
  Track as default
};
