import { readFile } from 'node:fs/promises'
import { ForeignWriterBusyError } from '@skill-metrics/core'
import { PhaseStore } from '@skill-metrics/db-store'
import { fixturePath } from '@skill-metrics/testing/fixtures'
import { inDualWrite } from '@skill-metrics/testing/phase-walk'
import { describe, expect, it, vi } from 'vitest'
import { migrateData } from '../src/backfill/data-migrator.js'
import { runValidation } from '../src/backfill/data-validator.js'
import { cutover } from '../src/operations/cutover.js'
import { rollback } from '../src/operations/rollback.js'
import { dualReadGuard } from '../src/phases/guards.js'
import { transition } from '../src/phases/transition.js'

// A program that takes no lock and saves all the time: every look at the file's version, right
// before the regenerated file would replace it, finds a save newer than the last import.
const saves = vi.hoisted(() => ({ alwaysLanding: false, count: 0 }))
vi.mock('@skill-metrics/json-tracker', async (original) => {
  const actual = await original<typeof import('@skill-metrics/json-tracker')>()
  return {
    ...actual,
    fileVersionOf: async (file: string) => {
      const version = await actual.fileVersionOf(file)
      if (!saves.alwaysLanding) return version
      saves.count += 1
      return `${version}:save-${saves.count}`
    },
  }
})

describe('rollback while another program saves the legacy file without a lock all the time', () => {
  it('is refused (exit 4, the way forward named) after its attempts, the file and the database as they were; once the program stops it finishes', async () => {
    const migration = await inDualWrite('sqlite', fixturePath('small'))
    try {
      await migrateData(migration)
      await runValidation(migration)
      await transition({
        ...migration,
        to: 'dual-read',
        from: ['migrated'],
        guard: dualReadGuard,
      })
      await cutover(migration)
      const before = await readFile(migration.jsonFile)

      saves.alwaysLanding = true
      const refused = await rollback(migration).catch((error: unknown) => error)
      saves.alwaysLanding = false
      expect(refused).toBeInstanceOf(ForeignWriterBusyError)
      const error = refused as ForeignWriterBusyError
      expect(error.exitCode).toBe(4)
      expect(error.code).toBe('FOREIGN_WRITER_BUSY')
      expect(error.message).toMatch(/saved by a program that takes no lock.*nothing is lost/)
      expect(error.nextStep).toMatch(
        /Stop or pause the program .* skill-metrics rollback --to dual-write/,
      )
      // Every attempt looked at the file's version; none replaced it.
      expect(saves.count).toBe(20)
      expect(await readFile(migration.jsonFile)).toEqual(before)
      const phases = await PhaseStore.open(migration.target)
      try {
        const state = await phases.state()
        expect(state.phase).toBe('db-primary')
        expect((await phases.history())[0]?.result).toMatch(/^refused: .*takes no lock/)
      } finally {
        await phases.close()
      }

      const rolledBack = await rollback(migration)
      expect(rolledBack).toMatchObject({ moved: true, to: 'dual-write' })
      expect((await runValidation(migration)).report.clean).toBe(true)
    } finally {
      await migration.db.drop()
    }
  })
})
