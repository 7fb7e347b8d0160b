import { describe, it } from 'vitest'
import { expectKilledMigrateResumes } from './migrate-kill.js'
import { DIALECTS } from './schema.js'

describe.each(DIALECTS)(
  'kill -9 of data migrate on %s (2 trials; the soak run has 20)',
  (dialect) => {
    it('a rerun finishes the work and validation is clean', async () => {
      await expectKilledMigrateResumes(dialect, 2)
    }, 180_000)
  },
)
