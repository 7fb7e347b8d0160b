import { describe, it } from 'vitest'
import { expectKilledMigrateResumes } from './migrate-kill.js'
import { DIALECTS } from './schema.js'

describe.each(DIALECTS)('kill -9 of data migrate at random points on %s, 20 trials', (dialect) => {
  it('a rerun finishes the work and validation is clean', async () => {
    await expectKilledMigrateResumes(dialect, 20)
  }, 1_200_000)
})
