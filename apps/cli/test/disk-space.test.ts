import { rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fillDisk, tmpfsForTest } from '@skill-metrics/testing/tmpfs'
import { describe, expect, it } from 'vitest'
import { copyFixture, runCommand } from './support.js'

describe('free space on a real file system that fills (tmpfs)', () => {
  it('health warns (exit 0) below two copies of the legacy file; phase dual-write refuses (exit 4)', async (context) => {
    const { dir } = await tmpfsForTest(4 << 20, context)
    const jsonFile = await copyFixture('small', dir)
    const size = (await stat(jsonFile)).size
    const cli = (...args: string[]) =>
      runCommand(
        [...args, '--json-file', jsonFile, '--db', `sqlite:${join(dir, 'skill_metrics.db')}`],
        {
          cwd: dir,
        },
      )
    expect((await cli('schema', 'migrate')).exitCode).toBe(0)
    const roomy = await cli('health')
    expect(roomy.exitCode, roomy.stderr).toBe(0)
    expect(roomy.stdout).toMatch(new RegExp(`^ok   free space: ${dir}: \\d+ bytes`, 'm'))
    expect(roomy.stdout).toMatch(/Healthy\.$/)

    // Room for one rewrite of the file, not for two copies.
    const filler = await fillDisk(dir, size + 16 * 1024)
    const warned = await cli('health')
    expect(warned.exitCode, warned.stderr).toBe(0)
    expect(warned.stdout).toMatch(
      new RegExp(
        `^WARN free space: ${dir}: \\d+ bytes free, ${2 * size} bytes needed .*; free space on ${dir}$`,
        'm',
      ),
    )
    expect(warned.stdout).toMatch(/Healthy, with 1 warning\.$/)
    const json = await cli('health', '--json')
    expect(json.exitCode, json.stdout).toBe(0)
    const report = JSON.parse(json.stdout)
    expect(report.ok).toBe(true)
    expect(report.checks.at(-1)).toMatchObject({ name: 'free space', ok: true, level: 'warn' })

    // dual-write rewrites the file and grows the database, both on this file system.
    const refused = await cli('phase', 'dual-write')
    expect(refused.exitCode).toBe(4)
    expect(refused.stderr).toContain(`${2 * size} bytes needed`)
    expect(refused.stderr).toContain(`free space on ${dir}, or pass --force --reason`)

    await rm(filler)
    expect((await cli('health')).stdout).toMatch(/Healthy\.$/)
  })
})
