import { freshDatabase } from '@skill-metrics/testing/databases'
import { expect, it } from 'vitest'
import { openDataSource } from '../src/data-source.js'
import { PhaseStore } from '../src/phases/phase-store.js'
import { SchemaRunner } from '../src/schema/schema-runner.js'

it('a transition waits out a SQLite database kept busy past its 2 s busy timeout', async () => {
  const db = await freshDatabase('sqlite')
  const runner = await SchemaRunner.open({ target: db.target })
  await runner.migrate()
  await runner.close()
  const phases = await PhaseStore.open(db.target)
  const writer = await openDataSource(db.target)
  try {
    // Another connection holds the write lock for 2.5 s: the first BEGIN IMMEDIATE gives up
    // after its 2 s, the next one gets in once the holder commits.
    await writer.query('BEGIN IMMEDIATE')
    const committed = new Promise<void>((resolve) =>
      setTimeout(() => void writer.query('COMMIT').then(() => resolve()), 2_500),
    )
    await phases.recordAttempt({
      at: new Date().toISOString(),
      actor: 'test',
      reason: null,
      from_phase: 'json-only',
      to_phase: 'dual-write',
      epoch: 0,
      result: 'refused: a test',
      forced: false,
      detail: null,
    })
    await committed
    expect((await phases.history())[0]).toMatchObject({ result: 'refused: a test' })
  } finally {
    await writer.destroy()
    await phases.close()
  }
})
