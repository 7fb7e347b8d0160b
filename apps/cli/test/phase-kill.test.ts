import { describe, it } from 'vitest'
import { expectKilledCutoverRecovers, expectKilledRollbackRecovers } from './phase-kill.js'
import { DIALECTS } from './schema.js'

describe.each(DIALECTS)(
  'kill -9 of cutover and rollback on %s (1 trial each; the soak run has 10)',
  (dialect) => {
    it('cutover: status answers, a rerun ends in db-primary, nothing is lost', async () => {
      await expectKilledCutoverRecovers(dialect, 1)
    }, 180_000)

    it('rollback: status answers, a rerun ends in dual-write, nothing is lost', async () => {
      await expectKilledRollbackRecovers(dialect, 1)
    }, 180_000)
  },
)
