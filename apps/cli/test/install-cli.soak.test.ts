import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTempDir, removeDir } from './support.js'

// A soak test: the install builds and deploys the CLI (tens of seconds on a cold cache).
const repository = fileURLToPath(new URL('../../..', import.meta.url))
const install = (...args: string[]) =>
  execa('bash', [join(repository, 'scripts/install-cli.sh'), ...args], {
    cwd: repository,
    reject: false,
  })

let dir: string
beforeAll(async () => {
  dir = await makeTempDir('sm-install-')
})
afterAll(() => removeDir(dir))

describe('scripts/install-cli.sh', () => {
  it('links a runnable skill-metrics into BIN_DIR, and a rerun updates it', async () => {
    const bin = join(dir, 'bin')
    const app = join(dir, 'app')
    for (const run of [1, 2]) {
      const installed = await install(bin, app)
      expect(installed.exitCode, `run ${run}: ${installed.stderr}`).toBe(0)
      expect(installed.stdout).toContain(`Installed: ${join(bin, 'skill-metrics')}`)
    }
    // Only the link's folder on PATH, as a user's shell would have it: no pnpm, no repository.
    const env = { PATH: `${bin}:${join(process.execPath, '..')}:/usr/bin:/bin` }
    const version = await execa('skill-metrics', ['--version'], { cwd: dir, env, extendEnv: false })
    expect(version.stdout).toMatch(/^@skill-metrics\/cli\/\d+\.\d+\.\d+ /)
    // The SQL migrations and the SQLite driver came along.
    const migrate = await execa(
      'skill-metrics',
      ['schema', 'migrate', '--json', '--db', `sqlite:${join(dir, 'db.sqlite')}`],
      { cwd: dir, env, extendEnv: false },
    )
    expect(JSON.parse(migrate.stdout)).toMatchObject({ current: expect.any(Number) })
  })

  it('refuses an APP_DIR that holds something else (exit 4), and wants BIN_DIR (exit 2)', async () => {
    const other = join(dir, 'other')
    await mkdir(other)
    expect((await install(join(dir, 'bin2'), other)).exitCode).toBe(4)
    expect((await install()).exitCode).toBe(2)
  })
})
