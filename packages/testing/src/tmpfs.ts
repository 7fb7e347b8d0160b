import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'

/** A small tmpfs mounted for a test: a real file system that fills. */
export interface Tmpfs {
  dir: string
  unmount(): Promise<void>
}

/**
 * Mounts a tmpfs of `bytes` (needs root, as CI has). Where the mount fails the reason is returned:
 * the caller skips with it outside CI and fails under `CI`, so a full-disk test never passes unrun.
 */
export async function mountTmpfs(bytes: number): Promise<Tmpfs | { skipReason: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'skill-metrics-tmpfs-'))
  const mounted = await execa('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], {
    reject: false,
  })
  if (mounted.exitCode !== 0) {
    await rm(dir, { recursive: true, force: true })
    return { skipReason: `mount -t tmpfs failed: ${mounted.stderr || mounted.message}` }
  }
  return {
    dir,
    async unmount() {
      await execa('umount', ['-l', dir], { reject: false })
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** What `tmpfsForTest` needs of vitest's test context. */
interface TestContext {
  skip(note?: string): never
  onTestFinished(cleanup: () => Promise<void>): void
}

/**
 * A tmpfs of `bytes` for one test, unmounted when it ends. Where it cannot be mounted the test is
 * skipped with the reason outside CI and fails under `CI`: a full-disk test never passes unrun.
 */
export async function tmpfsForTest(bytes: number, context: TestContext): Promise<Tmpfs> {
  const tmpfs = await mountTmpfs(bytes)
  if (!('dir' in tmpfs)) {
    if (process.env.CI) throw new Error(`CI must run the full-disk tests: ${tmpfs.skipReason}`)
    console.warn(`skipped: ${tmpfs.skipReason}`)
    return context.skip(tmpfs.skipReason)
  }
  context.onTestFinished(() => tmpfs.unmount())
  return tmpfs
}

/** Fills a file system to its last `leave` bytes with a filler file; returns its path. */
export async function fillDisk(dir: string, leave = 0): Promise<string> {
  const filler = join(dir, 'filler')
  const { stdout } = await execa('df', ['--output=avail', '-B1', dir])
  const available = Number(stdout.trim().split('\n').at(-1))
  const size = Math.max(0, available - leave)
  await execa('fallocate', ['-l', String(size), filler], { reject: false }).then(async (result) => {
    if (result.exitCode !== 0) {
      await execa(
        'dd',
        ['if=/dev/zero', `of=${filler}`, 'bs=4096', `count=${Math.floor(size / 4096)}`],
        {
          reject: false,
        },
      )
    }
  })
  return filler
}
