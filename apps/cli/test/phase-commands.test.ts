import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DIALECTS, freshDatabase, type TestDatabase } from './schema.js'
import { makeTempDir, runCli } from './support.js'

const created: TestDatabase[] = []
afterEach(async () => {
  for (const db of created.splice(0)) await db.drop()
})

describe.each(DIALECTS)('status and phase dual-write on %s', (dialect) => {
  it('shows the phase, moves to dual-write once, and track then writes both stores', async () => {
    const db = await freshDatabase(dialect)
    created.push(db)
    const cwd = await makeTempDir()
    const jsonFile = join(cwd, 'skill_metrics.json')
    const cli = (...args: string[]) =>
      runCli([...args, '--db', db.url, '--json-file', jsonFile], { cwd })

    const before = await cli('status')
    expect(before.exitCode, before.stderr).toBe(0)
    expect(before.stdout).toMatch(/Phase +json-only \(epoch 0\)/)
    expect(before.stdout).toMatch(/Next +skill-metrics schema migrate/)
    expect((await cli('phase', 'dual-write')).exitCode).toBe(4)

    expect((await cli('schema', 'migrate')).exitCode).toBe(0)
    expect((await cli('track', 'review')).exitCode).toBe(0)
    expect((await cli('status')).stdout).toMatch(/Next +skill-metrics phase dual-write/)
    const dry = await cli('phase', 'dual-write', '--dry-run')
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
    const db = await freshDatabase(dialect)
    created.push(db)
    const cwd = await makeTempDir()
    const jsonFile = join(cwd, 'skill_metrics.json')
    const cli = (...args: string[]) =>
      runCli([...args, '--db', db.url, '--json-file', jsonFile], { cwd })
    expect((await cli('schema', 'migrate')).exitCode).toBe(0)
    await writeFile(
      `${jsonFile}.phase.json`,
      JSON.stringify({ phase: 'db-primary', epoch: 4, transitioning: false, updated_at: 'now' }),
    )
    expect((await cli('track', 'primary')).exitCode).toBe(0)
    expect(Object.keys(JSON.parse((await cli('metrics', '--json')).stdout))).toEqual(['primary'])
    expect(JSON.parse((await cli('metrics', '--source', 'json', '--json')).stdout)).toEqual({})
  })
})
