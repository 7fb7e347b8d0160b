import { readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { ForeignWriter } from '@skill-metrics/testing/foreign-writer'
import { inDualWrite } from '@skill-metrics/testing/phase-walk'
import { afterEach, describe, expect, it } from 'vitest'
import type { TestDatabase } from './schema.js'
import { fixturePath, runCli } from './support.js'

const cleanups: Array<() => Promise<void>> = []
const created: TestDatabase[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
  for (const db of created.splice(0)) await db.drop()
})

// What an operator sees while the original Python tracker (a real process, loading once and
// saving its whole state without a lock) writes the legacy file. The library tests walk the same
// scenarios on both dialects; this one checks the words and exit codes.
describe('a foreign writer, as the CLI reports it', () => {
  it('restored, refused with a way forward, then watched after cutover and imported', async () => {
    const moved = await inDualWrite('sqlite', fixturePath('small'))
    created.push(moved.db)
    const cli = (...args: string[]) =>
      runCli([...args, '--db', moved.db.url, '--json-file', moved.jsonFile], {
        cwd: dirname(moved.jsonFile),
      })
    const python = async () => {
      const writer = await ForeignWriter.start(moved.jsonFile)
      cleanups.push(() => writer.quit())
      return writer
    }
    expect((await cli('data', 'migrate')).exitCode).toBe(0)
    const early = await python()
    expect((await cli('track', 'ours', '--workflow-path', 'ours-1')).exitCode).toBe(0)
    await early.append('python-skill', 'py-1')

    const repaired = await cli('data', 'migrate')
    expect(repaired.exitCode, repaired.stderr).toBe(0)
    expect(repaired.stdout).toMatch(
      /^Restored 1 invocation\(s\) removed by another writer .*\n {2}\S+ {2}ours {2}\S+ {2}ours-1\n/m,
    )
    expect(repaired.stdout).toContain('every data migrate puts back what it erased')
    const validated = await cli('data', 'validate')
    expect(validated.exitCode, validated.stdout).toBe(0)
    expect(validated.stdout).toMatch(/^Restored +1 invocation\(s\) put back into the file/m)
    await early.quit()

    const late = await python()
    await late.append('python-skill', 'py-2')
    const refused = await cli('phase', 'dual-read')
    expect(refused.exitCode).toBe(4)
    expect(refused.stderr).toMatch(
      /refused to move from migrated to dual-read: \d+ foreign write\(s\) to .* \(the file's modification time\); this opens once a full validation that starts after it/,
    )
    await late.quit()
    expect((await cli('data', 'migrate')).exitCode).toBe(0)
    expect((await cli('data', 'validate')).exitCode).toBe(0)
    const opened = await cli('phase', 'dual-read')
    expect(opened.exitCode, opened.stderr).toBe(0)
    expect((await cli('cutover')).exitCode).toBe(0)

    const afterCutover = await python()
    await afterCutover.append('python-skill', 'py-3')
    const unhealthy = await cli('health')
    expect(unhealthy.exitCode).toBe(4)
    expect(unhealthy.stdout).toMatch(/^FAIL legacy file unchanged since cutover: .*after cutover/m)
    const status = await cli('status')
    expect(status.stdout).toMatch(/^After cutover +CHANGED: /m)
    expect(status.stdout).toMatch(/^Next +skill-metrics data migrate/m)
    const imported = await cli('data', 'migrate', '--json')
    expect(imported.exitCode, imported.stderr).toBe(0)
    expect(JSON.parse(imported.stdout).imported).toMatchObject([{ workflow_path: 'py-3' }])
    expect((await cli('health')).exitCode).toBe(0)

    await afterCutover.append('python-skill', 'py-4')
    const rolledBack = await cli('rollback')
    expect(rolledBack.exitCode, rolledBack.stderr).toBe(0)
    expect(rolledBack.stdout).toMatch(/^Imported 1 invocation\(s\) another writer added to /m)
    const file = JSON.parse(await readFile(moved.jsonFile, 'utf8'))
    const tags = ['ours-1', 'py-1', 'py-2', 'py-3', 'py-4']
    expect(
      tags.map(
        (tag) =>
          file.invocations.filter(
            (record: { workflow_path: string }) => record.workflow_path === tag,
          ).length,
      ),
    ).toEqual(tags.map(() => 1))
  })
})
