import {
  applyCompletion,
  type LegacyInvocation,
  legacyFilePieces,
  type SkillAggregate,
  UsageError,
} from '@skill-metrics/core'
import { writePiecesToFile } from './legacy-writer.js'

export interface GenerateOptions {
  invocations: number
  skills?: number
  seed?: number
  /** Replace an existing file; without it an existing file is refused (exit 4). */
  overwrite?: boolean
}

export interface GenerateResult {
  invocations: number
  skills: number
  completed: number
  abandoned: number
  pending: number
  bytes: number
}

const SKILL_WORDS = [
  'review',
  'refactor',
  'test',
  'debug',
  'deploy',
  'lint',
  'docs',
  'plan',
  'migrate',
  'profile',
]
const PATHS = [null, '', 'quick', 'full', 'deep/review', 'ci']
const ERRORS = ['TimeoutError', 'ValueError', 'PermissionError', 'Warn']
const FOLLOW_UPS = ['run-tests', 'commit', 'open-pr', 'rerun', 'ask-user']

/** mulberry32: small, fast and the same on every machine for the same seed. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0')

/** A naive timestamp from microseconds since the epoch, as Python's isoformat prints it. */
function isoFromMicros(micros: number): string {
  const date = new Date(Math.floor(micros / 1000))
  const fraction = micros % 1_000_000
  const base = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  return fraction === 0 ? base : `${base}.${pad(fraction, 6)}`
}

/**
 * Invocations of a realistic history, lazily: completed, abandoned (mostly with an error) and
 * pending records, follow-ups with duplicates, null and empty paths, timestamps with and without
 * microseconds. Each completion is applied to `skills` as the tracker would.
 */
function* invocationsOf(
  options: Required<Omit<GenerateOptions, 'overwrite'>>,
  skills: Map<string, SkillAggregate>,
  tally: Pick<GenerateResult, 'completed' | 'abandoned' | 'pending'>,
): Generator<LegacyInvocation> {
  const next = random(options.seed)
  const names = Array.from({ length: options.skills }, (_, index) =>
    index < SKILL_WORDS.length
      ? SKILL_WORDS[index]!
      : `${SKILL_WORDS[index % SKILL_WORDS.length]}-${index}`,
  )
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!
  let clock = Date.UTC(2025, 0, 6, 9) * 1000
  for (let index = 0; index < options.invocations; index += 1) {
    clock += Math.floor(next() * 90) * 1_000_000
    // Most starts land on a whole second, as isoformat() then prints no fraction at all.
    const startedAt = next() < 0.3 ? clock + Math.floor(next() * 1_000_000) : clock
    // A skewed pick: a few skills carry most of the traffic, as in real use.
    const skill = names[Math.floor(next() ** 2 * names.length)]!
    const outcome = next()
    const invocation: LegacyInvocation = {
      skill_name: skill,
      invoked_at: isoFromMicros(startedAt),
      workflow_path: pick(PATHS),
      completed: false,
      duration_seconds: null,
      follow_up_actions: [],
      error_type: null,
    }
    if (outcome < 0.03) {
      tally.pending += 1
    } else {
      const completed = outcome >= 0.18
      invocation.completed = completed
      invocation.duration_seconds = Math.floor(next() * next() * 120_000_000) / 1e6
      invocation.error_type = completed
        ? next() < 0.05
          ? 'Warn'
          : null
        : next() < 0.8
          ? pick(ERRORS)
          : null
      const followUps = Math.floor(next() * next() * 4)
      for (let count = 0; count < followUps; count += 1)
        invocation.follow_up_actions.push(pick(FOLLOW_UPS))
      applyCompletion(skills, invocation)
      if (completed) tally.completed += 1
      else tally.abandoned += 1
    }
    yield invocation
  }
}

/** Writes a deterministic legacy file, streaming: memory stays flat for any number of invocations. */
export async function generateLegacyFile(
  path: string,
  options: GenerateOptions,
): Promise<GenerateResult> {
  const settings = {
    invocations: options.invocations,
    skills: options.skills ?? 20,
    seed: options.seed ?? 1,
  }
  if (!Number.isSafeInteger(settings.invocations) || settings.invocations < 0) {
    throw new UsageError(`--invocations must be a whole number ≥ 0, got ${settings.invocations}`)
  }
  if (!Number.isSafeInteger(settings.skills) || settings.skills < 1) {
    throw new UsageError(`--skills must be a whole number ≥ 1, got ${settings.skills}`)
  }
  const skills = new Map<string, SkillAggregate>()
  const tally = { completed: 0, abandoned: 0, pending: 0 }
  const bytes = await writePiecesToFile(
    path,
    legacyFilePieces({
      invocations: invocationsOf(settings, skills, tally),
      skills,
      last_updated: isoFromMicros(Date.UTC(2025, 11, 31) * 1000),
      extra: [],
    }),
    {
      exclusive: options.overwrite !== true,
      existsNextStep: 'Pass --force to overwrite it, or choose another path.',
    },
  )
  return { invocations: settings.invocations, skills: skills.size, ...tally, bytes }
}
