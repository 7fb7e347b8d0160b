import { join } from 'node:path'
import type { LegacyInvocation, SkillAggregate } from '@skill-metrics/core'
import { aggregatesFromInvocations } from '@skill-metrics/core'
import { loadLegacyFile } from '@skill-metrics/json-tracker'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, removeDir, runCli } from './support.js'

const SEQUENCES = 8
const SKILLS = ['review', 'lint', 'deploy']

/** The arguments of run `index` of sequence `sequence`: a mix of every kind of record. */
function trackArgs(sequence: number, index: number): string[] {
  const args = ['track', SKILLS[(sequence + index) % SKILLS.length]!]
  args.push('--workflow-path', `s${sequence}-r${index}`, '--duration', String((index % 7) * 0.75))
  if (index % 4 === 3) args.push('--abandoned')
  if (index % 5 === 0) args.push('--error-type', index % 2 === 0 ? 'TimeoutError' : 'ValueError')
  if (index % 3 === 0) args.push('--follow-up', 'rerun', '--follow-up', 'rerun')
  if (index % 3 === 1) args.push('--follow-up', 'commit')
  return args
}

const counts = (aggregate: SkillAggregate) => ({
  total_invocations: aggregate.total_invocations,
  completed_invocations: aggregate.completed_invocations,
  abandoned_invocations: aggregate.abandoned_invocations,
  workflow_paths: Object.fromEntries([...aggregate.workflow_paths].sort()),
  common_errors: Object.fromEntries([...aggregate.common_errors].sort()),
  follow_up_actions: Object.fromEntries([...aggregate.follow_up_actions].sort()),
})

/** `SEQUENCES` loops of `runsPerSequence` `skill-metrics track` processes (a multiple of 4) at once on one file. */
export function describeConcurrentTracks(runsPerSequence: number, note = ''): void {
  const runs = SEQUENCES * runsPerSequence
  describe(`${SEQUENCES} × ${runsPerSequence} concurrent skill-metrics track runs on one file${note}`, () => {
    let dir: string
    let file: string
    let invocations: LegacyInvocation[]
    let skills: Map<string, SkillAggregate>

    beforeAll(async () => {
      dir = await makeTempDir('sm-cli-concurrent-')
      file = join(dir, 'skill_metrics.json')
      await Promise.all(
        Array.from({ length: SEQUENCES }, async (_, sequence) => {
          for (let index = 0; index < runsPerSequence; index += 1) {
            const run = await runCli([...trackArgs(sequence, index), '--json-file', file], {
              cwd: dir,
            })
            if (run.exitCode !== 0) throw new Error(`run ${sequence}/${index}: ${run.stderr}`)
          }
        }),
      )
      ;({ invocations, skills } = await loadLegacyFile(file))
    }, 300_000)
    afterAll(() => removeDir(dir))

    it(`keeps all ${runs} invocations, each completed once`, () => {
      expect(invocations).toHaveLength(SEQUENCES * runsPerSequence)
      const expectedPaths = Array.from({ length: SEQUENCES }, (_, sequence) =>
        Array.from({ length: runsPerSequence }, (_, index) => `s${sequence}-r${index}`),
      ).flat()
      expect(invocations.map((invocation) => invocation.workflow_path).sort()).toEqual(
        expectedPaths.sort(),
      )
      expect(invocations.every((invocation) => invocation.duration_seconds !== null)).toBe(true)
      const abandoned = invocations.filter((invocation) => !invocation.completed)
      expect(abandoned).toHaveLength(SEQUENCES * (runsPerSequence / 4))
    })

    it('has every skill aggregate equal to the one recomputed from the records', () => {
      const recomputed = aggregatesFromInvocations(invocations)
      expect([...skills.keys()].sort()).toEqual([...recomputed.keys()].sort())
      expect([...skills.keys()].sort()).toEqual([...SKILLS].sort())
      for (const [name, stored] of skills) {
        const fresh = recomputed.get(name)!
        expect(counts(stored), name).toEqual(counts(fresh))
        const relative =
          Math.abs(stored.total_duration_seconds - fresh.total_duration_seconds) /
          Math.max(Math.abs(fresh.total_duration_seconds), Number.MIN_VALUE)
        expect(relative, `${name} total_duration_seconds`).toBeLessThanOrEqual(1e-9)
      }
      const total = [...skills.values()].reduce((sum, skill) => sum + skill.total_invocations, 0)
      expect(total).toBe(SEQUENCES * runsPerSequence)
    })
  })
}
