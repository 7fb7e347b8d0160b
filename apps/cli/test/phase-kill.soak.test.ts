import { describe, it } from 'vitest'
import { expectKilledCutoverRecovers, expectKilledRollbackRecovers } from './phase-kill.js'
import { DIALECTS } from './schema.js'

describe.each(DIALECTS)(
  'kill -9 of cutover and rollback at random points on %s, 10 trials each',
  (dialect) => {
    it('cutover: status answers, a rerun ends in db-primary, nothing is lost', async () => {
      await expectKilledCutoverRecovers(dialect, 10)
    }, 1_200_000)

    it('rollback: status answers, a rerun ends in dual-write, nothing is lost', async () => {
      await expectKilledRollbackRecovers(dialect, 10)
    }, 1_200_000)
  },
)
