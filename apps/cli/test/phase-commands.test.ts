import { appendFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DIALECTS, freshDatabase, type TestDatabase } from './schema.js'
import { makeTempDir, runCommand } from './support.js'

const created: TestDatabase[] = []
afterEach(async () => {
  for (const db of created.splice(0)) await db.drop()
})

/** A fresh database and a scratch directory; `cli` runs a command against both. */
async function setUp(dialect: 'sqlite' | 'postgres') {
  const db = await freshDatabase(dialect)
  created.push(db)
  const cwd = await makeTempDir()
  const jsonFile = join(cwd, 'skill_metrics.json')
  const cli = (...args: string[]) =>
    runCommand([...args, '--db', db.url, '--json-file', jsonFile], { cwd })
  return { jsonFile, cli }
}

describe.each(DIALECTS)('status and phase dual-write on %s', (dialect) => {
  it('shows the phase, moves to dual-write once, and track then writes both stores', async () => {
    const { cli } = await setUp(dialect)

    const before = await cli('status')
    expect(before.exitCode, before.stderr).toBe(0)
    expect(before.stdout).toMatch(/Phase +json-only \(epoch 0\)/)
    expect(before.stdout).toMatch(/Next +skill-metrics schema migrate/)
    expect((await cli('phase', 'dual-write')).exitCode).toBe(4)

    expect((await cli('schema', 'migrate')).exitCode).toBe(0)
    // No legacy file yet: the real run would be refused, so its dry run exits 4 as well, its
    // checks printed, and records nothing.
    const refusedDry = await cli('phase', 'dual-write', '--dry-run')
    expect(refusedDry.exitCode).toBe(4)
    expect(refusedDry.stdout).toMatch(/^FAIL legacy file/m)
    expect(refusedDry.stderr).toContain('Error: dry run: the real run would be refused: ')
    const refusedDryJson = JSON.parse(
      (await cli('phase', 'dual-write', '--dry-run', '--json')).stdout,
    )
    expect(refusedDryJson).toMatchObject({ dryRun: true, error: { code: 'REFUSED', exitCode: 4 } })
    expect(JSON.parse((await cli('status', '--json')).stdout).history).toEqual([])
    expect((await cli('track', 'review')).exitCode).toBe(0)
    expect((await cli('status')).stdout).toMatch(/Next +skill-metrics phase dual-write/)
    const dry = await cli('phase', 'dual-write', '--dry-run')
    expect(dry.exitCode, dry.stderr).toBe(0)
    expect(dry.stdout).toContain('Would move json-only → dual-write (epoch 1).')
    const moved = await cli('phase', 'dual-write')
    expect(moved.exitCode, moved.stderr).toBe(0)
    expect(moved.stdout).toContain('dual-write (epoch 1)')
    const again = await cli('phase', 'dual-write', '--json')
    expect(again.exitCode).toBe(4)
    expect(JSON.parse(again.stdout).error.message).toBe(
      'phase is dual-write; dual-write goes from json-only',
    )

    expect((await cli('track', 'lint', '--duration', '1.5')).exitCode).toBe(0)
    const status = JSON.parse((await cli('status', '--json')).stdout)
    expect(status).toMatchObject({
      phase: 'dual-write',
      epoch: 1,
      phaseSource: 'database',
      dualWriteMisses: 0,
    })
    expect(status.legacy).toMatchObject({ invocations: 2, skills: 2 })
    // Only the invocation tracked in dual-write is in the database; the backfill brings the rest.
    expect(status.database).toMatchObject({ invocations: 1, skills: 1 })
    expect(status.history[0]).toMatchObject({
      from_phase: 'json-only',
      to_phase: 'dual-write',
      result: 'ok',
    })
  })

  it('reads follow the phase: from the database once it is the source of truth', async () => {
    const { cli } = await setUp(dialect)
    for (const step of [
      ['schema', 'migrate'],
      ['track', 'before'],
      ['phase', 'dual-write'],
      ['data', 'migrate'],
      ['data', 'validate'],
      ['phase', 'dual-read'],
      ['cutover'],
    ]) {
      const run = await cli(...step)
      expect(run.exitCode, `${step.join(' ')}: ${run.stderr}`).toBe(0)
    }
    expect((await cli('track', 'primary')).exitCode).toBe(0)
    const fromDatabase = JSON.parse((await cli('metrics', '--json')).stdout)
    expect(Object.keys(fromDatabase)).toEqual(['before', 'primary'])
    expect(
      Object.keys(JSON.parse((await cli('metrics', '--source', 'json', '--json')).stdout)),
    ).toEqual(['before'])

    // Back: the file is regenerated from the database, the write made after cutover included.
    const back = await cli('rollback', '--json')
    expect(back.exitCode, back.stderr).toBe(0)
    expect(JSON.parse(back.stdout)).toMatchObject({
      from: 'db-primary',
      to: 'dual-write',
      moved: true,
    })
    expect(JSON.parse((await cli('metrics', '--json')).stdout)).toEqual(fromDatabase)
    expect((await cli('data', 'validate')).exitCode).toBe(0)
  })
})

describe.each(DIALECTS)('phase dual-read on %s', (dialect) => {
  it('moves from migrated only, once, and status shows what dual-read recorded', async () => {
    const { jsonFile, cli } = await setUp(dialect)

    expect((await cli('schema', 'migrate')).exitCode).toBe(0)
    expect((await cli('track', 'review')).exitCode).toBe(0)
    expect((await cli('phase', 'dual-write')).exitCode).toBe(0)
    const early = await cli('phase', 'dual-read', '--json')
    expect(early.exitCode).toBe(4)
    expect(JSON.parse(early.stdout).error.message).toBe(
      'phase is dual-write; dual-read goes from migrated',
    )
    expect((await cli('data', 'migrate')).exitCode).toBe(0)
    expect((await cli('data', 'validate')).exitCode).toBe(0)
    expect((await cli('status')).stdout).toMatch(/Next +skill-metrics phase dual-read/)

    const dry = await cli('phase', 'dual-read', '--dry-run')
    expect(dry.exitCode, dry.stderr).toBe(0)
    expect(dry.stdout).toContain('ok   last full validation clean: clean at ')
    expect(dry.stdout).toContain('ok   no dual-write miss since the last validation: none')
    expect(dry.stdout).toContain('Would move migrated → dual-read (epoch 3).')
    const moved = await cli('phase', 'dual-read')
    expect(moved.exitCode, moved.stderr).toBe(0)
    expect(moved.stdout).toContain('dual-read (epoch 3).')
    expect(moved.stdout).toContain('Next: skill-metrics cutover')
    const again = await cli('phase', 'dual-read')
    expect(again.exitCode).toBe(4)
    expect(again.stderr).toContain('phase is dual-read; dual-read goes from migrated')

    const quiet = await cli('status')
    expect(quiet.stdout).toMatch(/Phase +dual-read \(epoch 3\)/)
    expect(quiet.stdout).toMatch(/Dual-read +no mismatch recorded/)
    expect(quiet.stdout).toMatch(/Next +skill-metrics cutover/)

    // What a library caller's dual-read would have recorded for a corrupted database value.
    await appendFile(
      `${jsonFile}.dual-read-mismatches.jsonl`,
      `${JSON.stringify({
        at: new Date().toISOString(),
        read: 'getSkillMetrics',
        subject: 'review',
        kind: 'mismatch',
        json: { total_invocations: 1 },
        db: { total_invocations: 6 },
        diffs: [{ field: 'total_invocations', json: 1, db: 6 }],
      })}\n`,
    )
    const shown = await cli('status')
    expect(shown.stdout).toMatch(
      /Dual-read +1 unresolved mismatch\(es\), 0 database error\(s\) since the last clean validation \(1 recorded\)/,
    )
    expect(shown.stdout).toMatch(
      /^ {2}\S+ {2}mismatch {2}getSkillMetrics\("review"\) total_invocations file 1, database 6$/m,
    )
    expect(shown.stdout).toMatch(
      /Next +skill-metrics data migrate, then skill-metrics data validate/,
    )
    const status = JSON.parse((await cli('status', '--json')).stdout)
    expect(status.dualReadMismatches).toMatchObject({ total: 1, unresolved: 1, errors: 0 })

    expect((await cli('data', 'validate')).exitCode).toBe(0)
    expect((await cli('status')).stdout).toMatch(/Next +skill-metrics cutover/)
  })
})
