import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makeTempDir, removeDir } from './support.js'

const setup = fileURLToPath(new URL('../../../scripts/setup.sh', import.meta.url))

let dir: string
beforeEach(async () => {
  dir = await makeTempDir()
})
afterEach(() => removeDir(dir))

/** Sources setup.sh (which then installs nothing) and runs its `quietly` on a stand-in build. */
const quietly = (log: string, build: string) =>
  execa(
    'bash',
    ['-c', `source "$1" && quietly "$2" 'Building' bash -c "$3"`, 'bash', setup, log, build],
    { reject: false },
  )

// What node-gyp prints while it compiles better-sqlite3, in short.
const gyp = 'echo "gyp info spawn make"; echo "  CXX(target) Release/obj.target/sqlite3.o" >&2'

describe('scripts/setup.sh', () => {
  it("keeps a native build's output in the log it names", async () => {
    const log = join(dir, 'setup.log')
    const run = await quietly(log, gyp)
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toBe(`Building (output in ${log})`)
    expect(run.stderr).toBe('')
    expect(await readFile(log, 'utf8')).toBe(
      'gyp info spawn make\n  CXX(target) Release/obj.target/sqlite3.o\n',
    )
  })

  it('prints the log and passes the exit code on when the build fails', async () => {
    const log = join(dir, 'setup.log')
    const run = await quietly(log, `${gyp}; echo "gyp ERR! build error" >&2; exit 7`)
    expect(run.exitCode).toBe(7)
    expect(run.stderr).toContain('CXX(target) Release/obj.target/sqlite3.o\ngyp ERR! build error')
    expect(run.stderr).toContain(`Building failed (exit 7); its output is above and in ${log}`)
  })
})
