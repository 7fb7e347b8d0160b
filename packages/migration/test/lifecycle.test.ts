import { describe, it } from 'vitest'
import { expectLifecycleUnderLiveWrites } from './lifecycle.js'
import { DIALECTS } from './support.js'

describe.each(DIALECTS)(
  'the whole lifecycle on %s with 3 writers throughout (the soak run has 8 and 1,000 writes after cutover)',
  (dialect) => {
    it('dual-write → migrate → dual-read → cutover → 200 writes → rollback loses nothing', async () => {
      const measured = await expectLifecycleUnderLiveWrites(dialect, {
        writers: 3,
        afterCutover: 200,
      })
      console.log(`${dialect}: lifecycle`, measured)
    }, 300_000)
  },
)
