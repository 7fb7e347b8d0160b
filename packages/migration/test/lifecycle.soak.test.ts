import { describe, it } from 'vitest'
import { expectLifecycleUnderLiveWrites } from './lifecycle.js'
import { DIALECTS } from './support.js'

describe.each(DIALECTS)('the whole lifecycle on %s with 8 writers throughout', (dialect) => {
  it('dual-write → migrate → dual-read → cutover → 1,000 writes → rollback loses nothing', async () => {
    const measured = await expectLifecycleUnderLiveWrites(dialect, {
      writers: 8,
      afterCutover: 1_000,
    })
    console.log(`${dialect}: lifecycle`, measured)
  }, 600_000)
})
