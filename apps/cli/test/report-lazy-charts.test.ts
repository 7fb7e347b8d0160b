import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { afterEach, describe, expect, it } from 'vitest'
import { copyFixture, makeTempDir, removeDir } from './support.js'

const cli = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const recorder = fileURLToPath(new URL('./import-recorder/register.mjs', import.meta.url))

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await removeDir(dir)
})

/** The module URLs one run of the built CLI resolved. */
async function importsOf(dir: string, name: string, args: string[]): Promise<string[]> {
  const record = join(dir, `${name}.imports`)
  const run = await execa('node', ['--import', recorder, cli, ...args], {
    cwd: dir,
    reject: false,
    env: { SKILL_METRICS_RECORD_IMPORTS: record, SKILL_METRICS_DB: undefined },
  })
  expect(run.exitCode, run.stderr).toBe(0)
  return (await readFile(record, 'utf8')).split('\n').filter((url) => url !== '')
}

const charting = (urls: string[]) => urls.filter((url) => url.includes('/echarts/'))

describe('the charting library', () => {
  it('loads inside `report --html` only, never at the start-up of other commands', async () => {
    const dir = await makeTempDir()
    dirs.push(dir)
    const jsonFile = await copyFixture('small', dir)
    const file = ['--json-file', jsonFile]
    expect(charting(await importsOf(dir, 'version', ['--version']))).toEqual([])
    expect(charting(await importsOf(dir, 'metrics', ['metrics', ...file]))).toEqual([])
    expect(charting(await importsOf(dir, 'report', ['report', ...file]))).toEqual([])
    const html = await importsOf(dir, 'html', ['report', '--html', join(dir, 'r.html'), ...file])
    expect(charting(html).length).toBeGreaterThan(0)
  })
})
