import { generateLegacyFile } from '@skill-metrics/json-tracker'
import { DIALECTS } from '@skill-metrics/testing/databases'
import { inDualWrite } from '@skill-metrics/testing/phase-walk'
import { describe, expect, it } from 'vitest'
import { migrateData } from '../src/backfill/data-migrator.js'
import { runValidation } from '../src/backfill/data-validator.js'

describe.each(DIALECTS)('backfill of a generated 100k-invocation file on %s', (dialect) => {
  it('validates clean, and three more runs change nothing', async () => {
    const migration = await inDualWrite(dialect)
    try {
      await generateLegacyFile(migration.jsonFile, { invocations: 100_000, overwrite: true })
      const started = performance.now()
      const first = await migrateData(migration)
      console.log(
        `${dialect}: backfill of 100,000 in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      )
      expect(first).toMatchObject({ read: 100_000, inserted: 100_000, rejected: [] })
      const { report, advanced } = await runValidation(migration)
      expect(report.clean).toBe(true)
      expect(advanced?.to).toBe('migrated')
      for (let rerun = 0; rerun < 3; rerun += 1) {
        expect(await migrateData(migration)).toMatchObject({
          inserted: 0,
          updated: 0,
          unchanged: 100_000,
        })
      }
    } finally {
      await migration.db.drop()
    }
  }, 900_000)
})
