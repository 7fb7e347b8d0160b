import { describe, it } from 'vitest'
import { diskFullSmoke } from './disk-full-support.js'

// Small enough for pnpm test (about 25 s); PostgreSQL at the soak size is in smoke.soak.test.ts.
describe('the smoke run with a full disk partway through dual-write', () => {
  it('2,000 invocations, 2 writers, SQLite on the full tmpfs: refused or recorded, never corrupted', async (context) => {
    await diskFullSmoke(
      ['--dialect', 'sqlite', '--invocations', '2000', '--writers', '2'],
      (reason) => context.skip(reason),
    )
  }, 240_000)
})
