import { createDataSource } from '@skill-metrics/db-store'
import { fixturePath } from '@skill-metrics/testing/fixtures'
import { inDualWrite, type Migration } from '@skill-metrics/testing/phase-walk'
import { expect } from 'vitest'
import { migrateData } from '../src/backfill/data-migrator.js'
import { runValidation } from '../src/backfill/data-validator.js'
import { dualReadGuard } from '../src/phases/guards.js'
import { transition } from '../src/phases/transition.js'

export const toDualRead = ({ jsonFile, target }: Migration) =>
  transition({ jsonFile, target, to: 'dual-read', from: ['migrated'], guard: dualReadGuard })

/** small.json backfilled, validated clean (so migrated), then moved to dual-read. */
export async function smallInDualRead(dialect: 'sqlite' | 'postgres'): Promise<Migration> {
  const migration = await inDualWrite(dialect, fixturePath('small'))
  await migrateData(migration)
  expect((await runValidation(migration)).advanced).toMatchObject({ to: 'migrated' })
  await toDualRead(migration)
  return migration
}

/** Changes one stored value behind every tracker's back. */
export async function corrupt({ target }: Migration, skill: string) {
  const source = await (await createDataSource(target)).initialize()
  try {
    await source.query(
      `UPDATE skill_metrics SET total_invocations = total_invocations + 5 WHERE skill_name = ${target.dialect === 'postgres' ? '$1' : '?'}`,
      [skill],
    )
  } finally {
    await source.destroy()
  }
}
