import {
  DEFAULT_RETENTION_DAYS,
  changeLogPathOf,
  legacyFileFingerprint,
  readPhaseCopy,
  readWriterState,
  withWritersLock,
  writePhaseCopy,
  writerStatePathOf
} from "./chunk-CEBUQHIG.js";
import {
  PhaseStore
} from "./chunk-AMQPUULD.js";
import {
  InconsistencyError,
  RefusedError,
  UsageError,
  canonicalDatabaseUrl,
  modeForFilesBeside,
  systemClock,
  writeFileDurably
} from "./chunk-IJ4VH45E.js";

// ../../packages/migration/dist/operations/cleanup.js
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, rm, stat as stat2 } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";

// ../../packages/migration/dist/phases/guards.js
import { stat } from "node:fs/promises";
async function fileAsWeLeftIt(jsonFile) {
  const [current, modified] = await Promise.all([
    legacyFileFingerprint(jsonFile),
    stat(jsonFile).then((info) => info.mtime.toISOString(), () => null)
  ]);
  const writerState = await readWriterState(jsonFile);
  const unabsorbed = writerState !== null && current !== null && !writerState.accepted.some((accepted) => accepted.sha256 === current.sha256);
  return { writerState, unabsorbed, current, modified };
}
var MOVE_THE_WRITER = "stop the writer that is not skill-metrics (the original Python tracker takes no lock) or move it to skill-metrics' tracker (README: foreign writers)";
async function legacyFileAsDatabaseLeftIt(jsonFile) {
  const name = "legacy file unchanged since cutover";
  const { writerState, unabsorbed, current, modified } = await fileAsWeLeftIt(jsonFile);
  const importIt = "run: skill-metrics data migrate (imports what it added into the database)";
  if (current === null)
    return { name, ok: true, detail: `no file at ${jsonFile}` };
  if (writerState === null) {
    return {
      name,
      ok: false,
      forceable: false,
      detail: `${jsonFile} was re-created by a writer that is not skill-metrics (modified at ${modified}); ${MOVE_THE_WRITER}, then ${importIt}`
    };
  }
  if (unabsorbed) {
    return {
      name,
      ok: false,
      forceable: false,
      detail: `${jsonFile} was changed by a writer that is not skill-metrics at ${modified}, after cutover; ${MOVE_THE_WRITER}, then ${importIt}`
    };
  }
  return { name, ok: true, detail: "as cutover or the last import left it" };
}

// ../../packages/migration/dist/phases/actor.js
import { hostname, userInfo } from "node:os";
function currentActor() {
  let user = "unknown user";
  try {
    user = userInfo().username;
  } catch {
  }
  return `${user}@${hostname()} (pid ${process.pid})`;
}

// ../../packages/migration/dist/phases/transition.js
async function transition(request) {
  requireReasonToForce(request);
  const clock = request.clock ?? systemClock;
  const store = await PhaseStore.open(request.target);
  try {
    const decide = async () => {
      const state = await store.state();
      const context = {
        jsonFile: request.jsonFile,
        target: request.target,
        state,
        store,
        freeSpace: request.freeSpace
      };
      const copy = await readPhaseCopy(request.jsonFile).catch(() => null);
      if (copy?.transitioning && copy.epoch === state.epoch && state.phase === request.to) {
        const finishing = {
          from: request.from[0],
          to: request.to,
          epoch: state.epoch,
          checks: [],
          forced: false,
          dryRun: request.dryRun === true
        };
        if (request.dryRun)
          return finishing;
        await request.afterFlip?.(context);
        await writePhaseCopy(request.jsonFile, { ...copy, transitioning: false });
        return finishing;
      }
      if (!request.from.includes(state.phase)) {
        throw new RefusedError(`phase is ${state.phase}; ${request.to} goes from ${request.from.join(" or ")}`);
      }
      const checks = [await legacyFileServed(context), ...await request.guard(context)];
      const failed = checks.filter((check) => !check.ok);
      const binding = failed.filter((check) => check.forceable === false);
      const outcome = {
        from: state.phase,
        to: request.to,
        epoch: state.epoch + 1,
        checks,
        forced: failed.length > 0 && request.force === true && binding.length === 0,
        dryRun: request.dryRun === true
      };
      const refusal = (reasons) => new RefusedError(`refused to move from ${state.phase} to ${request.to}: ${reasons}`, {
        nextStep: binding.length > 0 ? "--force cannot pass this check: do what it names first." : 'Resolve what the guard names, or pass --force --reason "\u2026" to override it (recorded).'
      });
      const refused = failed.length > 0 && !outcome.forced;
      if (request.dryRun) {
        return refused ? { ...outcome, wouldRefuse: failed.map((check) => check.detail).join("; ") } : outcome;
      }
      const facts = {
        at: clock.now(),
        reason: request.reason,
        from: state.phase,
        to: request.to,
        forced: outcome.forced,
        checks
      };
      if (refused) {
        const reasons = failed.map((check) => check.detail).join("; ");
        await store.recordAttempt(transitionRecord({ ...facts, epoch: state.epoch, result: `refused: ${reasons}` }));
        throw refusal(reasons);
      }
      await request.beforeFlip?.(context);
      const record = transitionRecord({ ...facts, epoch: outcome.epoch, result: "ok" });
      await flipPhase(store, request, record, request.to === "db-primary" ? record.at : state.cutover_at, { afterCommit: async () => await request.afterFlip?.(context) });
      return outcome;
    };
    return request.dryRun ? await decide() : await withWritersLock(request.jsonFile, decide, { timeoutMs: request.lockTimeoutMs });
  } finally {
    await store.close();
  }
}
async function flipPhase(store, { jsonFile, target }, record, cutoverAt, whileMarked = {}) {
  const database = canonicalDatabaseUrl(target);
  const copy = { phase: record.to_phase, epoch: record.epoch, updated_at: record.at, database };
  await writePhaseCopy(jsonFile, { ...copy, transitioning: true });
  try {
    await whileMarked.beforeCommit?.();
  } catch (error) {
    await store.state().then((state) => writePhaseCopy(jsonFile, {
      phase: state.phase,
      epoch: state.epoch,
      transitioning: false,
      updated_at: (/* @__PURE__ */ new Date()).toISOString(),
      database
    })).catch(() => {
    });
    throw error;
  }
  await store.commitTransition(record, cutoverAt, jsonFile);
  await whileMarked.afterCommit?.();
  await writePhaseCopy(jsonFile, { ...copy, transitioning: false });
}
async function legacyFileServed({ jsonFile, target, store }) {
  return servedFileCheck(jsonFile, target, await store.servedLegacyFile());
}
function servedFileCheck(jsonFile, target, served) {
  const name = "legacy file of this database";
  if (served === null)
    return { name, ok: true, detail: `${jsonFile} (none recorded yet)` };
  if (served === jsonFile)
    return { name, ok: true, detail: jsonFile };
  return {
    name,
    ok: false,
    detail: `${canonicalDatabaseUrl(target)} serves ${served}, not ${jsonFile}: name that file (--json-file ${served}), or, if it moved to ${jsonFile}, pass --force --reason "\u2026" (recorded)`
  };
}
function transitionRecord(facts) {
  return {
    at: facts.at.toISOString(),
    actor: currentActor(),
    reason: facts.reason ?? null,
    from_phase: facts.from,
    to_phase: facts.to,
    epoch: facts.epoch,
    result: facts.result,
    forced: facts.forced,
    detail: facts.checks === null ? null : JSON.stringify(facts.checks)
  };
}
function requireReasonToForce({ force, reason }) {
  if (force && (reason === void 0 || reason.trim() === "")) {
    throw new UsageError('--force needs --reason "\u2026": a forced transition is recorded with why');
  }
}

// ../../packages/migration/dist/operations/cleanup.js
var DAY_MS = 864e5;
async function cleanup({ retentionDays = DEFAULT_RETENTION_DAYS, clock = systemClock, confirm, ...request }) {
  const { jsonFile } = request;
  if (confirm !== void 0 && !request.dryRun) {
    const preview = await cleanup({ ...request, retentionDays, clock, dryRun: true });
    const question = `Archive ${jsonFile} (gzip, sha256 manifest) and remove it? The database becomes the only store. Continue?`;
    if (preview.wouldRefuse === void 0 && preview.legacyFileFound && !await confirm(question))
      throw new RefusedError("cleanup not confirmed; nothing was changed");
  }
  let archive = null;
  let legacyFileFound = await exists(jsonFile);
  const outcome = await transition({
    ...request,
    to: "cleaned",
    from: ["db-primary"],
    clock,
    // An archived file whose foreign additions were never imported would take them out of sight.
    guard: async (context) => [
      retentionOver(context, retentionDays, clock),
      retentionNotShortened(retentionDays),
      await legacyFileAsDatabaseLeftIt(jsonFile)
    ],
    beforeFlip: async () => {
      legacyFileFound = await exists(jsonFile);
      if (legacyFileFound)
        archive = await archiveLegacyFile(jsonFile, clock.now());
    },
    afterFlip: async () => {
      await rm(jsonFile, { force: true });
      await rm(writerStatePathOf(jsonFile), { force: true });
      await rm(changeLogPathOf(jsonFile), { force: true });
    }
  });
  return { ...outcome, retentionDays, legacyFileFound, archive };
}
function retentionOver({ state }, retentionDays, clock) {
  const name = `retention of ${retentionDays} day(s) since cutover`;
  if (state.cutover_at === null)
    return { name, ok: false, detail: "no cutover is recorded" };
  const ends = new Date(Date.parse(state.cutover_at) + retentionDays * DAY_MS);
  const ok = clock.now() >= ends;
  return {
    name,
    ok,
    detail: `cutover at ${state.cutover_at}; the retention ${ok ? "ended" : "ends"} at ${ends.toISOString()}`
  };
}
function retentionNotShortened(retentionDays) {
  const ok = retentionDays >= DEFAULT_RETENTION_DAYS;
  return {
    name: `retention not shorter than the default ${DEFAULT_RETENTION_DAYS} days`,
    ok,
    detail: ok ? `${retentionDays} day(s)` : `--retention-days ${retentionDays} is shorter than the default ${DEFAULT_RETENTION_DAYS}: that needs --force --reason "\u2026" (recorded)`
  };
}
async function legacyArchiveOf(jsonFile) {
  const prefix = `${basename(jsonFile)}.archive-`;
  const names = await readdir(dirname(jsonFile)).catch(() => []);
  const newest = names.filter((name) => name.startsWith(prefix) && name.endsWith(".json.gz")).sort().at(-1);
  return newest === void 0 ? null : join(dirname(jsonFile), newest);
}
async function archiveLegacyFile(jsonFile, now) {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const path = `${jsonFile}.archive-${stamp}.json.gz`;
  const mode = await modeForFilesBeside(jsonFile);
  const read = hashTap();
  const compressed = await writeFileDurably(path, createReadStream(jsonFile).compose(read.pass).compose(createGzip()), { exclusive: true, mode });
  const original = read.fingerprint();
  try {
    const decompressed = hashTap();
    await pipeline(createReadStream(path), createGunzip(), decompressed.pass, async (source) => {
      for await (const _ of source)
        ;
    });
    if (decompressed.fingerprint().sha256 !== original.sha256) {
      throw new InconsistencyError(`the archive of ${jsonFile} did not read back as written; the legacy file and the phase are as they were`, { nextStep: "Check the disk, then run skill-metrics cleanup again." });
    }
    const manifest = manifestPathOf(path);
    await writeFileDurably(manifest, manifestText(path, compressed, original), { mode });
    return { path, manifest, original, compressed };
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}
var manifestPathOf = (archive) => `${archive}.sha256`;
function manifestText(path, compressed, original) {
  const name = basename(path);
  return `${compressed.sha256}  ${name}
# ${original.sha256}  the legacy file inside: gunzip -c ${name} | sha256sum
`;
}
function hashTap() {
  const hash = createHash("sha256");
  let size = 0;
  return {
    async *pass(source) {
      for await (const chunk of source) {
        hash.update(chunk);
        size += chunk.length;
        yield chunk;
      }
    },
    fingerprint() {
      return { size, sha256: hash.digest("hex") };
    }
  };
}
async function exists(path) {
  return stat2(path).then(() => true, (error) => {
    if (error.code === "ENOENT")
      return false;
    throw error;
  });
}
export {
  cleanup,
  legacyArchiveOf
};
