import { appendFile, readFile, rm, stat, truncate } from 'node:fs/promises'
import {
  invocationId,
  type LegacyDocument,
  type LegacyInvocation,
  type SkillAggregate,
} from '@skill-metrics/core'
import {
  appendDurably,
  type FileFingerprint,
  fingerprintFile,
  modeForFilesBeside,
  writeFileDurably,
} from '@skill-metrics/durable-file'
import { sameFingerprint } from './writer-state.js'

/**
 * One rewrite of the legacy file by our writers: the bytes it read, the bytes it wrote and what
 * differs between the two. Every rewrite changes the whole file's hash, so this is how a
 * comparison under the writers' lock learns what changed since it last read the file without
 * reading it again. One entry may list several invocations (a group commit would).
 */
export interface LegacyFileChange {
  before: FileFingerprint | null
  after: FileFingerprint
  at: string
  /** The number of invocations in the file after the rewrite. */
  length: number
  invocations: ChangedInvocation[]
  skills: ChangedSkill[]
}

export interface ChangedInvocation {
  seq: number
  id: string
  record: LegacyInvocation
}

export interface ChangedSkill {
  name: string
  /** Its position in the `skills` map after the rewrite. */
  position: number
  aggregate: SkillAggregate
}

/** An aggregate as a log line keeps it: counter maps as entries, so their key order survives. */
interface LoggedSkill {
  name: string
  position: number
  aggregate: Omit<SkillAggregate, 'workflow_paths' | 'common_errors' | 'follow_up_actions'> & {
    workflow_paths: Array<[string, number]>
    common_errors: Array<[string, number]>
    follow_up_actions: Array<[string, number]>
  }
}

type LoggedChange = Omit<LegacyFileChange, 'skills'> & { skills: LoggedSkill[] }

/**
 * Past this size a writer keeps only the newest half of the log. A chain that reaches back
 * further then does not link and the comparison reads the whole file, as it would without a log.
 * At a million invocations one rewrite takes seconds and logs well under a kilobyte, so this holds
 * hours of rewrites, far more than a bulk pass lasts.
 */
const MAX_LOG_BYTES = 8 << 20

export function changeLogPathOf(file: string): string {
  return `${file}.change-log.jsonl`
}

/** What a rewrite is about to change: taken before `change` runs, read after it. */
export class ChangeRecorder {
  readonly #invocations: readonly LegacyInvocation[]
  readonly #skills: Map<string, string>

  constructor(document: LegacyDocument) {
    // Changed records are found by identity, so a change must replace a record, never edit it:
    // frozen, an edit in place throws instead of slipping past the log.
    for (const record of document.invocations) Object.freeze(record)
    this.#invocations = document.invocations.slice()
    this.#skills = new Map([...document.skills].map(([name, skill]) => [name, skillText(skill)]))
  }

  /** The entry for this rewrite; null when records were removed, which no entry describes. */
  changesIn(document: LegacyDocument): Omit<LegacyFileChange, 'before' | 'after' | 'at'> | null {
    const { invocations } = document
    if (invocations.length < this.#invocations.length) return null
    const changed: number[] = []
    for (let seq = 0; seq < invocations.length; seq += 1) {
      if (invocations[seq] !== this.#invocations[seq]) changed.push(seq)
    }
    const ids = idsAt(invocations, changed)
    const skills: ChangedSkill[] = []
    let position = 0
    for (const [name, aggregate] of document.skills) {
      if (this.#skills.get(name) !== skillText(aggregate))
        skills.push({ name, position, aggregate })
      position += 1
    }
    return {
      length: invocations.length,
      invocations: changed.map((seq, index) => ({
        seq,
        id: ids[index]!,
        record: invocations[seq]!,
      })),
      skills,
    }
  }
}

const skillText = (aggregate: SkillAggregate) => JSON.stringify(loggedAggregate(aggregate))

function loggedAggregate(aggregate: SkillAggregate): LoggedSkill['aggregate'] {
  return {
    ...aggregate,
    workflow_paths: [...aggregate.workflow_paths],
    common_errors: [...aggregate.common_errors],
    follow_up_actions: [...aggregate.follow_up_actions],
  }
}

/** The ids of the records at `seqs` (ascending), counting occurrences in one pass over the file. */
function idsAt(invocations: readonly LegacyInvocation[], seqs: number[]): string[] {
  if (seqs.length === 0) return []
  const identity = (record: LegacyInvocation) =>
    JSON.stringify([record.skill_name, record.invoked_at, record.workflow_path])
  const times = new Set(seqs.map((seq) => invocations[seq]!.invoked_at))
  const seen = new Map<string, number>()
  const ids: string[] = []
  let next = 0
  for (let seq = 0; next < seqs.length; seq += 1) {
    const record = invocations[seq]!
    // Most records share no time with a changed one: skip them before building a key.
    if (!times.has(record.invoked_at)) continue
    const key = identity(record)
    const occurrence = seen.get(key) ?? 0
    seen.set(key, occurrence + 1)
    if (seq === seqs[next]) {
      ids.push(invocationId(record.skill_name, record.invoked_at, record.workflow_path, occurrence))
      next += 1
    }
  }
  return ids
}

/**
 * Appends a rewrite's entry durably; run under the writers' lock before the rename. Returns how to
 * take the entry back when that rewrite fails, so a refused write leaves every file beside the
 * legacy file as it was. An entry left by a crash is harmless: it says that the bytes `after`
 * differ from the bytes `before` only where it lists, which is true of them whether or not the
 * file ever held them, so it can only link a file that holds exactly those bytes.
 */
export async function appendChange(
  file: string,
  change: LegacyFileChange,
): Promise<() => Promise<void>> {
  const path = changeLogPathOf(file)
  const line = `${JSON.stringify({ ...change, skills: change.skills.map(loggedSkill) })}\n`
  const mode = await modeForFilesBeside(file)
  const size = await stat(path).then(
    (found) => found.size,
    () => null,
  )
  if (size === null) {
    try {
      await appendDurably(path, line, { mode })
    } catch (error) {
      // appendDurably cuts a failed append back, but the log it created stays, empty.
      await rm(path, { force: true }).catch(() => {})
      throw error
    }
    return () => rm(path, { force: true })
  }
  if (size + line.length <= MAX_LOG_BYTES) {
    await appendDurably(path, line, { mode })
    return () => truncate(path, size)
  }
  const previous = await readFile(path, 'utf8')
  const lines = previous.split('\n').filter((kept) => kept !== '')
  const newest = lines.slice(Math.floor(lines.length / 2))
  await writeFileDurably(path, `${[...newest, line.trimEnd()].join('\n')}\n`, { mode })
  return async () => {
    await writeFileDurably(path, previous, { mode })
  }
}

/**
 * Notes, after the rename, which file version holds the bytes `written`, so a comparison under
 * the lock can know the file's bytes from a `stat` instead of hashing them (about a second at a
 * million invocations, several on a busy machine). Any later save changes the version: a rename
 * brings another inode, a write in place moves the change time, which no writer can set. Not
 * fsync'd: a note lost in a crash only means the bytes are hashed.
 */
export async function notePlacedBytes(file: string, written: FileFingerprint): Promise<void> {
  const version = await placedVersionOf(file)
  if (version === null) return
  await appendFile(changeLogPathOf(file), `${JSON.stringify({ version, bytes: written })}\n`, {
    mode: await modeForFilesBeside(file),
  })
}

/**
 * The file's size and sha256: from the note of our writer that renamed these bytes into place
 * when its version is still the file's, else hashed. Null when the file is missing.
 */
export async function legacyFileFingerprint(file: string): Promise<FileFingerprint | null> {
  return fingerprintOfPlaced(file, (await readLog(file)).placed)
}

async function fingerprintOfPlaced(file: string, placed: PlacedBytes[]) {
  const version = await placedVersionOf(file)
  const noted = placed.findLast((note) => note.version === version)
  return noted?.bytes ?? fingerprintFile(file)
}

const placedVersionOf = async (file: string) => {
  const info = await stat(file, { bigint: true }).catch(() => undefined)
  return info === undefined
    ? null
    : `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`
}

const loggedSkill = (skill: ChangedSkill): LoggedSkill => ({
  ...skill,
  aggregate: loggedAggregate(skill.aggregate),
})

/** The bytes a file version held when our writer renamed them into place. */
interface PlacedBytes {
  version: string
  bytes: FileFingerprint
}

/**
 * The ids of the invocations our writers' rewrites changed at or after `since` (when each rewrite
 * began): those whose dual-write copies may still be on their way to the database. Null when the
 * file's bytes are not what one of our rewrites left (a foreign save came after them): its
 * differences are not ours to wait for.
 */
export async function invocationsLoggedSince(
  file: string,
  since: Date,
): Promise<Set<string> | null> {
  const { changes, placed } = await readLog(file)
  const recent = changes.filter((change) => Date.parse(change.at) >= since.getTime())
  if (recent.length === 0) return new Set()
  const current = await fingerprintOfPlaced(file, placed)
  if (!changes.some((change) => sameFingerprint(change.after, current))) return null
  return new Set(recent.flatMap((change) => change.invocations.map(({ id }) => id)))
}

async function readLog(
  file: string,
): Promise<{ changes: LegacyFileChange[]; placed: PlacedBytes[] }> {
  const log = { changes: [] as LegacyFileChange[], placed: [] as PlacedBytes[] }
  let text: string
  try {
    text = await readFile(changeLogPathOf(file), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return log
    throw error
  }
  // A torn line is an append cut short by a crash: its rename never happened, or its version
  // is only not known.
  for (const line of text.split('\n')) {
    let logged: LoggedChange | PlacedBytes
    try {
      logged = JSON.parse(line) as LoggedChange | PlacedBytes
    } catch {
      continue
    }
    if ('version' in logged) log.placed.push(logged)
    else log.changes.push({ ...logged, skills: logged.skills.map(changedSkill) })
  }
  return log
}

const changedSkill = ({ name, position, aggregate }: LoggedSkill): ChangedSkill => ({
  name,
  position,
  aggregate: {
    ...aggregate,
    workflow_paths: new Map(aggregate.workflow_paths),
    common_errors: new Map(aggregate.common_errors),
    follow_up_actions: new Map(aggregate.follow_up_actions),
  },
})

/** What the log knows of the file's current bytes, from the rewrites that led to them. */
export interface ChangeChain {
  /** The file's bytes now: known from the version our writer noted, else hashed. */
  current: FileFingerprint | null
  /** Whether the rewrites lead from the snapshot's bytes to the current ones, every step ours. */
  linked: boolean
  /** The number of invocations in the file now; null when no rewrite is known. */
  length: number | null
  /** The current value of every invocation a rewrite on the chain changed, by position. */
  invocations: Map<number, ChangedInvocation & { sinceSnapshot: boolean }>
  /** The current aggregates of every skill a rewrite on the chain changed, by name. */
  skills: Map<string, ChangedSkill & { sinceSnapshot: boolean }>
}

/**
 * Follows the log back from the file's current bytes (known from its version or hashed; run
 * under the lock) through rewrites whose `after` is the bytes the next one read. Where the chain
 * passes `snapshot` (the bytes a bulk pass read), every file state since then was one our writers
 * made, so the file differs from the snapshot only in what the chain lists. A change by anyone
 * else leaves a state no entry produced, and the chain stops there.
 */
export async function changesLeadingTo(
  file: string,
  snapshot: FileFingerprint,
): Promise<ChangeChain> {
  const { changes, placed } = await readLog(file)
  const current = await fingerprintOfPlaced(file, placed)
  const chain: ChangeChain = {
    current,
    linked: current !== null && sameFingerprint(current, snapshot),
    length: null,
    invocations: new Map(),
    skills: new Map(),
  }
  let state: FileFingerprint | null = current
  for (let index = changes.length - 1; index >= 0 && state !== null; index -= 1) {
    const change = changes[index]!
    if (!sameFingerprint(change.after, state)) continue
    const sinceSnapshot = !chain.linked
    chain.length ??= change.length
    // Walking back, the first change of a record met is its latest: its value now.
    for (const invocation of change.invocations) {
      if (!chain.invocations.has(invocation.seq)) {
        chain.invocations.set(invocation.seq, { ...invocation, sinceSnapshot })
      }
    }
    for (const skill of change.skills) {
      if (!chain.skills.has(skill.name)) chain.skills.set(skill.name, { ...skill, sinceSnapshot })
    }
    state = change.before
    if (state !== null && sameFingerprint(state, snapshot)) chain.linked = true
  }
  return chain
}
