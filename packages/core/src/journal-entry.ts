import { randomUUID } from 'node:crypto'
import type { LegacyInvocation } from './legacy.js'
import { legacyInvocationSchema } from './schema.js'
import * as z from './zod.js'

const entryId = z.string().check(z.minLength(8), z.maxLength(64))
const sessionId = z._default(z.nullable(z.string()), null)

/** A completion as the journal carries it: the duration is fixed when the writer journals it. */
const completionSchema = z.strictObject({
  completed: z.boolean(),
  follow_up_actions: z.array(z.string()),
  error_type: z.nullable(z.string()),
  duration_seconds: z.number(),
})

/**
 * One line of the group-commit journal (ARCHITECTURE §5): a change a writer could not apply
 * itself, carrying its own random entry id so that it is applied exactly once whoever applies it,
 * to the legacy file or to the database. Writers in other languages (the Python client) write
 * exactly this shape.
 */
export const journalEntrySchema = z.discriminatedUnion('kind', [
  // A whole invocation, started and finished: `track`, and the Python client's completer.
  z.strictObject({
    entry: entryId,
    kind: z.literal('invocation'),
    record: legacyInvocationSchema,
    session_id: sessionId,
  }),
  z.strictObject({
    entry: entryId,
    kind: z.literal('start'),
    record: legacyInvocationSchema,
    session_id: sessionId,
  }),
  z.strictObject({
    entry: entryId,
    kind: z.literal('complete'),
    /** The started invocation's id, for a store that finds it by id. */
    id: z.string(),
    /** Where it entered the file, for the file that finds it by position. */
    seq: z.number().check(z.int(), z.nonnegative()),
    started: legacyInvocationSchema,
    session_id: sessionId,
    completion: completionSchema,
  }),
])

export type JournalEntry = z.output<typeof journalEntrySchema>
export type JournalCompletion = z.output<typeof completionSchema>

type Distribute<T> = T extends unknown ? Omit<T, 'entry'> : never
/** A change before it has an entry id. */
export type JournalChange = Distribute<JournalEntry>

export const newJournalEntry = (change: JournalChange): JournalEntry =>
  ({ entry: randomUUID(), ...change }) as JournalEntry

/**
 * What applying an entry gave: the invocation's id and position, and for a completion the file's
 * completion sequence. Kept in the writer state, where its writer finds it.
 */
export interface AppliedEntry {
  entry: string
  id: string
  seq: number
  completion_seq: number | null
}

/** The finished record a completion entry writes. */
export const finishedRecord = (
  started: LegacyInvocation,
  completion: JournalCompletion,
): LegacyInvocation => ({
  ...started,
  completed: completion.completed,
  duration_seconds: completion.duration_seconds,
  follow_up_actions: [...completion.follow_up_actions],
  error_type: completion.error_type,
})
