import { describe, it } from 'vitest'
import { diskFullSmoke } from './disk-full-support.js'

// SQLite at a small size (about 25 s); pnpm test covers a full disk through the CLI
// (apps/cli/test/disk-full.test.ts), so this run joins the soak suite beside PostgreSQL at 20k.
describe('the smoke run with a full disk partway through dual-write', () => {
  it('2,000 invocations, 2 writers, SQLite on the full tmpfs: refused or recorded, never corrupted', async (context) => {
    await diskFullSmoke(
      ['--dialect', 'sqlite', '--invocations', '2000', '--writers', '2'],
      (reason) => context.skip(reason),
    )
  }, 240_000)
})
