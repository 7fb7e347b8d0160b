import { randomUUID } from 'node:crypto'
import { open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { type JournalEntry, journalEntrySchema } from '@skill-metrics/core'
import { appendDurably, asWriteFailure, modeForFilesBeside } from '@skill-metrics/durable-file'

/**
 * The group-commit journal (ARCHITECTURE §5): a writer that finds the writers' lock busy appends
 * its change here as one fsync'd line and waits; whoever holds the lock next applies every
 * journaled change in one rewrite (or, once the database is the truth, in one transaction). Its
 * lines are the only channel of writers that never hold the lock themselves (the Python client).
 */
export function journalPathOf(file: string): string {
  return `${file}.journal`
}

/** Lines no version of this tool can apply, kept for a person to read rather than dropped. */
export function rejectedJournalPathOf(file: string): string {
  return `${file}.journal-rejected`
}

/** Set to 0, every writer waits for the lock and rewrites the file itself (the old behaviour). */
export const groupCommitEnabled = () => process.env.SKILL_METRICS_GROUP_COMMIT !== '0'

/**
 * Appends one entry durably. Each line starts with a newline so that a line torn by a crash or a
 * full disk ends there and never glues itself to the next writer's. A holder may rename the
 * journal away while we write (`takeJournal`): if the path names another file once our line is
 * synced, our line may have landed after the holder read it, so it is appended again to the new
 * journal. The entry id makes that second copy harmless: an applied entry is never applied again.
 */
export async function appendToJournal(file: string, entry: JournalEntry): Promise<void> {
  const path = journalPathOf(file)
  const line = Buffer.from(`\n${JSON.stringify(entry)}\n`)
  const mode = await modeForFilesBeside(file)
  for (let attempt = 1; ; attempt += 1) {
    // A full disk refuses the change (exit 4, as a refused rewrite of the file does): the writer
    // was never told it landed, and a torn line it may leave ends at its own newline.
    const ino = await appendLine(path, line, mode).catch((error: unknown) => {
      throw asWriteFailure(error, path, `${line.length} bytes`)
    })
    if ((await stat(path, { bigint: true }).catch(() => undefined))?.ino === ino) return
    if (attempt >= 100) throw new Error(`the journal ${path} kept moving while we appended to it`)
  }
}

/**
 * Appends the entry unless the live journal holds it already (its writer appended it, as the
 * Python client does): an entry given from outside (`journal apply --entry`) is then on record
 * once applied, so giving it again cannot apply it twice. Should a holder have taken the journal
 * meanwhile, the second copy is harmless, as in `appendToJournal`.
 */
export async function journalEntryOnce(file: string, entry: JournalEntry): Promise<void> {
  const live = await readFile(journalPathOf(file), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return ''
    throw error
  })
  if (!live.includes(entry.entry)) await appendToJournal(file, entry)
}

/**
 * One synced append; returns the inode it went to. Unlike `appendDurably`, a failure is not cut
 * back: other writers append to the same file, and a cut could take their lines with ours. What
 * a failed write leaves is a torn line, which the leading newline isolates.
 */
async function appendLine(path: string, line: Buffer, mode: number): Promise<bigint> {
  const created = (await stat(path).catch(() => undefined)) === undefined
  const handle = await open(path, 'a', mode)
  try {
    for (let offset = 0; offset < line.length; ) {
      const { bytesWritten } = await handle.write(line, offset, line.length - offset)
      offset += bytesWritten
    }
    await handle.sync()
    const { ino } = await handle.stat({ bigint: true })
    // A new journal's name must survive a crash as its line does.
    if (created) await syncFolder(dirname(path))
    return ino
  } finally {
    await handle.close().catch(() => {})
  }
}

async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Journal files taken by a holder and not yet deleted, oldest first: `<file>.journal.<stamp>`. */
async function takenJournals(file: string): Promise<string[]> {
  const prefix = `${basename(journalPathOf(file))}.`
  const names = await readdir(dirname(file)).catch(() => [] as string[])
  return names
    .filter(
      (name) => name.startsWith(prefix) && /^\d{15}-[0-9a-f]{8}$/.test(name.slice(prefix.length)),
    )
    .sort()
    .map((name) => join(dirname(file), name))
}

/** What a holder took from the journal: the entries to apply, and the files to delete after. */
export interface TakenJournal {
  entries: JournalEntry[]
  files: string[]
}

/**
 * Takes the journal for the lock holder: renames the live journal aside (new writers start a new
 * one) and reads it with any taken by an earlier holder that died before deleting them, in
 * arrival order. Entries that do not parse are moved to the rejected file with the reason.
 * Duplicates (an entry appended twice, see `appendToJournal`) are returned once.
 */
export async function takeJournal(file: string): Promise<TakenJournal> {
  const live = journalPathOf(file)
  const stamp = `${String(Date.now()).padStart(15, '0')}-${randomUUID().slice(0, 8)}`
  try {
    if ((await stat(live)).size > 0) await rename(live, `${live}.${stamp}`)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  const files = await takenJournals(file)
  const entries = new Map<string, JournalEntry>()
  const rejected: string[] = []
  for (const path of files) {
    for (const line of (await readFile(path, 'utf8')).split('\n')) {
      if (line.trim() === '') continue
      const parsed = parseJournalLine(line)
      if (typeof parsed === 'string') rejected.push(JSON.stringify({ line, reason: parsed }))
      else if (!entries.has(parsed.entry)) entries.set(parsed.entry, parsed)
    }
  }
  if (rejected.length > 0) {
    await appendDurably(rejectedJournalPathOf(file), `${rejected.join('\n')}\n`, {
      mode: await modeForFilesBeside(file),
    })
    console.error(
      `skill-metrics: ${rejected.length} journal line(s) could not be applied; kept in ${rejectedJournalPathOf(file)}`,
    )
  }
  return { entries: [...entries.values()], files }
}

/** The entry, or why it cannot be applied (a torn line left by a crash, or a foreign shape). */
function parseJournalLine(line: string): JournalEntry | string {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return 'not JSON (a line cut short by a crash or a full disk)'
  }
  const parsed = journalEntrySchema.safeParse(value)
  if (parsed.success) return parsed.data
  return parsed.error.issues
    .map((issue) => `${issue.path.join('.') || 'entry'}: ${issue.message}`)
    .join('; ')
}

/** Deletes what a holder took, once what it applied is on record. */
export async function dropTakenJournals(taken: TakenJournal): Promise<void> {
  for (const path of taken.files) await unlink(path).catch(() => {})
}

/** How many entries wait in the journal (live and taken), for `status` and `health`. */
export async function journalLength(file: string): Promise<number> {
  let lines = 0
  for (const path of [journalPathOf(file), ...(await takenJournals(file))]) {
    const text = await readFile(path, 'utf8').catch(() => '')
    for (const line of text.split('\n')) if (line.trim() !== '') lines += 1
  }
  return lines
}

/** How many lines were kept aside as unreadable. */
export async function rejectedJournalLines(file: string): Promise<number> {
  const text = await readFile(rejectedJournalPathOf(file), 'utf8').catch(() => '')
  return text.split('\n').filter((line) => line.trim() !== '').length
}

/** Whether anything waits in the journal: a stat or two, cheap enough for every write. */
export async function journalHasEntries(file: string): Promise<boolean> {
  if (((await stat(journalPathOf(file)).catch(() => undefined))?.size ?? 0) > 0) return true
  return (await takenJournals(file)).length > 0
}
