import { copyFile, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DIALECTS, freshDatabase, type TestDatabase } from './schema.js'
import { fixturePath, makeTempDir, runCommand, writeBrokenFile } from './support.js'

const created: TestDatabase[] = []
afterEach(async () => {
  for (const db of created.splice(0)) await db.drop()
})

async function prepared(dialect: 'sqlite' | 'postgres') {
  const db = await freshDatabase(dialect)
  created.push(db)
  const cwd = await makeTempDir()
  const jsonFile = join(cwd, 'skill_metrics.json')
  await copyFile(fixturePath('small'), jsonFile)
  const cli = (...args: string[]) =>
    runCommand([...args, '--db', db.url, '--json-file', jsonFile], { cwd })
  expect((await cli('schema', 'migrate')).exitCode).toBe(0)
  expect((await cli('phase', 'dual-write')).exitCode).toBe(0)
  return { cli, jsonFile, cwd }
}

describe.each(DIALECTS)('data migrate and data validate on %s', (dialect) => {
  it('migrates the file, validates clean and moves to migrated', async () => {
    const { cli } = await prepared(dialect)
    const migrate = await cli('data', 'migrate')
    expect(migrate.exitCode, migrate.stderr).toBe(0)
    expect(migrate.stdout).toMatch(
      /^Read [\d,]+ · inserted [\d,]+ · updated 0 · unchanged 0 · rejected 0 · \d+ skills aligned/m,
    )
    const validate = await cli('data', 'validate')
    expect(validate.exitCode, validate.stderr).toBe(0)
    expect(validate.stdout).toContain('Clean. Phase is now migrated (epoch 2).')
    const status = JSON.parse((await cli('status', '--json')).stdout)
    expect(status).toMatchObject({ phase: 'migrated', epoch: 2, lastValidation: { clean: true } })
    const again = JSON.parse((await cli('data', 'migrate', '--json')).stdout)
    expect(again).toMatchObject({ inserted: 0, updated: 0 })
  })

  it('reports rejected records with exit 3, and validation exits 5 with a report file', async () => {
    const { cli, jsonFile, cwd } = await prepared(dialect)
    const text = await readFile(jsonFile, 'utf8')
    await writeFile(jsonFile, text.replace('"completed": true', '"completed": "yes"'))
    const migrate = await cli('data', 'migrate')
    expect(migrate.exitCode).toBe(3)
    expect(migrate.stderr).toMatch(/rejected 1 of [\d]+ records/)
    expect(migrate.stderr).toMatch(
      /invocations\[\d+\]\.completed: expected true or false, got "yes"/,
    )
    const reportFile = join(cwd, 'report.json')
    const validate = await cli('data', 'validate', '--report', reportFile)
    expect(validate.exitCode).toBe(5)
    expect(JSON.parse(await readFile(reportFile, 'utf8')).rejected).toHaveLength(1)
    expect(validate.stderr).toContain('data validate --force --reason')
    expect(JSON.parse((await cli('status', '--json')).stdout).phase).toBe('dual-write')
    // Accepting the rejected record takes a reason, which the history keeps.
    expect((await cli('data', 'validate', '--force')).exitCode).toBe(2)
    const accepted = await cli('data', 'validate', '--force', '--reason', 'record 3 is junk')
    expect(accepted.exitCode, accepted.stderr).toBe(0)
    expect(accepted.stdout).toContain('Differences accepted with --force: phase is now migrated')
    const status = JSON.parse((await cli('status', '--json')).stdout)
    expect(status.phase).toBe('migrated')
    // The history lists the newest transition first.
    expect(status.history[0]).toMatchObject({
      to_phase: 'migrated',
      forced: true,
      reason: 'record 3 is junk',
    })
  })
  it('a file truncated during dual-write: exit 3 naming the record, the file untouched, the phase held', async () => {
    const { cli, jsonFile } = await prepared(dialect)
    const whole = await readFile(jsonFile)
    // Cut inside the fourth record, as a writer that is not us might leave it.
    const cut =
      whole.indexOf(
        '"skill_name"',
        whole.indexOf(
          '"skill_name"',
          whole.indexOf('"skill_name"', whole.indexOf('"skill_name"') + 1) + 1,
        ) + 1,
      ) + 5
    const truncated = whole.subarray(0, cut)
    await writeBrokenFile(jsonFile, truncated)
    const migrate = await cli('data', 'migrate')
    expect(migrate.exitCode, migrate.stderr).toBe(3)
    expect(migrate.stderr).toContain(jsonFile)
    expect(migrate.stderr).toContain('not valid JSON')
    expect(migrate.stderr).toContain('invocations[3]')
    expect(await readFile(jsonFile)).toEqual(truncated)
    expect((await cli('data', 'validate')).exitCode).toBe(3)
    expect(JSON.parse((await cli('status', '--json')).stdout).phase).toBe('dual-write')
  })
})
