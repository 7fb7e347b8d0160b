// Backfill and validation of a large legacy file, each next to its reference in the same run.
// Runnable alone: `node bench/backfill.mjs [legacy file]` generates a file of BENCH_INVOCATIONS
// (default 1,000,000) invocations, unless given one of that size, and prints the section and its
// goals.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { count, goal, measureCli, measureNode, root, verdict } from './measure.mjs'
import { copyReference, realSchemaCopy, scratchPostgres } from './postgres.mjs'

/** The bare reference for `data migrate` on SQLite (see reference-backfill.mjs). */
export const bareSqliteLoad = (work, legacyFile, database) =>
  measureNode(work, 'reference: JSON.parse + prepared INSERTs into a bare table', [
    join(root, 'bench/reference-backfill.mjs'),
    legacyFile,
    database,
  ])

const throughputGoal = 0.8

/** Measures backfill and validation of `legacyFile` and returns the BENCHMARKS.md section. */
export async function backfillSection(work, legacyFile, invocations) {
  const rows = []
  const goals = []
  const cli = (args, label) => measureCli(work, label, args)
  const jsonFile = join(work, 'backfill.json')
  copyFileSync(legacyFile, jsonFile)
  const sqlite = `sqlite:${join(work, 'backfill.db')}`
  const flags = ['--json-file', jsonFile, '--db', sqlite]
  cli(['schema', 'migrate', ...flags], 'schema migrate (SQLite)')
  cli(['phase', 'dual-write', ...flags], 'phase dual-write (SQLite)')
  const schemaDb = join(work, 'reference-schema.db')
  cli(['schema', 'migrate', '--db', `sqlite:${schemaDb}`], 'schema migrate (reference)')
  const ours = cli(['data', 'migrate', ...flags], 'data migrate → SQLite')
  const reference = measureNode(
    work,
    'reference: JSON.parse + ids + INSERTs into the real schema',
    [join(root, 'bench/reference-backfill.mjs'), legacyFile, schemaDb, 'real-schema'],
  )
  const bare = bareSqliteLoad(work, legacyFile, join(work, 'reference.db'))
  const ratio = reference.seconds / ours.seconds
  const sqliteMet = ratio >= throughputGoal && ours.rssMiB <= 256
  rows.push([
    `\`data migrate\` of ${count(invocations)} invocations into SQLite`,
    `${ours.seconds.toFixed(1)} s, ${ours.rssMiB.toFixed(0)} MiB`,
    `${reference.seconds.toFixed(1)} s, ${reference.rssMiB.toFixed(0)} MiB (JSON.parse + ids + one INSERT per row into the real schema)`,
    `≥ ${throughputGoal}× its throughput, ≤ 256 MiB`,
    `${ratio.toFixed(2)}× throughput, ${ours.rssMiB.toFixed(0)} MiB: ${verdict(sqliteMet)}`,
  ])
  goals.push(
    goal(
      `\`data migrate\` ${count(invocations)} → SQLite: ≥ ${throughputGoal}× the real-schema reference's throughput, ≤ 256 MiB`,
      `${ours.seconds.toFixed(1)} s, ${ours.rssMiB.toFixed(0)} MiB`,
      `JSON.parse + ids + one prepared INSERT per row into the real schema: ${reference.seconds.toFixed(1)} s`,
      `${ratio.toFixed(2)}× throughput; ${ours.rssMiB.toFixed(0)} MiB of 256`,
      sqliteMet,
    ),
  )
  rows.push([
    'context: JSON.parse + the same INSERTs into a bare table (no key, no index, no ids)',
    '—',
    `${bare.seconds.toFixed(1)} s, ${bare.rssMiB.toFixed(0)} MiB`,
    '—',
    `ours at ${(bare.seconds / ours.seconds).toFixed(2)}× its throughput`,
  ])
  const stream = cli(['metrics', '--json-file', jsonFile, '--json'], 'one streaming pass (metrics)')
  const validate = cli(['data', 'validate', ...flags], 'data validate (SQLite)')
  const validateRatio = validate.seconds / stream.seconds
  rows.push([
    `\`data validate\` of the same file and database`,
    `${validate.seconds.toFixed(1)} s, ${validate.rssMiB.toFixed(0)} MiB`,
    `${stream.seconds.toFixed(1)} s (one streaming pass over the file)`,
    '≤ 3× the streaming pass',
    `${validateRatio.toFixed(2)}×: ${verdict(validateRatio <= 3)}`,
  ])
  goals.push(
    goal(
      `\`data validate\` ${count(invocations)} on SQLite: ≤ 3× one streaming pass`,
      `${validate.seconds.toFixed(1)} s`,
      `\`metrics\` (one streaming pass over the same file): ${stream.seconds.toFixed(1)} s`,
      `${validateRatio.toFixed(2)}× the time`,
      validateRatio <= 3,
    ),
  )
  const database = await scratchPostgres('backfill')
  const referenceDatabase = database && (await scratchPostgres('backfill_reference'))
  if (database !== undefined) {
    try {
      const pgJson = join(work, 'backfill-pg.json')
      copyFileSync(legacyFile, pgJson)
      const pgFlags = ['--json-file', pgJson, '--db', database.url]
      cli(['schema', 'migrate', ...pgFlags], 'schema migrate (PostgreSQL)')
      cli(['phase', 'dual-write', ...pgFlags], 'phase dual-write (PostgreSQL)')
      cli(['schema', 'migrate', '--db', referenceDatabase.url], 'schema migrate (reference)')
      const pgOurs = cli(['data', 'migrate', ...pgFlags], 'data migrate → PostgreSQL')
      const referenceSeconds = realSchemaCopy(referenceDatabase.url, work, legacyFile)
      const { csvSeconds, copySeconds } = copyReference(referenceDatabase.url, work, legacyFile)
      const pgRatio = referenceSeconds / pgOurs.seconds
      const pgMet = pgRatio >= throughputGoal
      rows.push([
        `\`data migrate\` of ${count(invocations)} invocations into PostgreSQL`,
        `${pgOurs.seconds.toFixed(1)} s, ${pgOurs.rssMiB.toFixed(0)} MiB`,
        `${referenceSeconds.toFixed(1)} s (JSON.parse → CSV with ids, then \`psql \\copy\` into the real table)`,
        `≥ ${throughputGoal}× its throughput`,
        `${pgRatio.toFixed(2)}×: ${verdict(pgMet)}`,
      ])
      goals.push(
        goal(
          `\`data migrate\` ${count(invocations)} → PostgreSQL: ≥ ${throughputGoal}× the real-schema reference's throughput`,
          `${pgOurs.seconds.toFixed(1)} s`,
          `JSON.parse → CSV with ids, then \`psql \\copy\` into the real table: ${referenceSeconds.toFixed(1)} s`,
          `${pgRatio.toFixed(2)}× throughput`,
          pgMet,
        ),
      )
      rows.push([
        'context: JSON.parse → CSV, then `\\copy` into a bare table (no key, no index, no ids)',
        '—',
        `${(csvSeconds + copySeconds).toFixed(1)} s (CSV ${csvSeconds.toFixed(1)} s + copy ${copySeconds.toFixed(1)} s)`,
        '—',
        `ours at ${((csvSeconds + copySeconds) / pgOurs.seconds).toFixed(2)}× its throughput`,
      ])
    } finally {
      await database.drop()
      await referenceDatabase?.drop()
    }
  }
  const markdown = `## Backfill and validation

Each command is one fresh process after \`schema migrate\` and \`phase dual-write\`; the backfill
runs its bulk pass and then its final pass under the writers' lock, as in production (with no
writer, the final pass finds the file's hash unchanged and rereads nothing).

| work | ours (wall, peak RSS) | reference in the same run | goal | result |
|---|---|---|---|---|
${rows.map((row) => `| ${row.join(' | ')} |`).join('\n')}

The backfill goals are set against the real schema's floor: the minimal load of the very rows
ours writes (the file parsed whole, each row's uuid v5 id and position, one prepared INSERT per
row in one transaction on SQLite; a CSV of them and \`psql \\copy\` on PostgreSQL, timed
together) into the tables our migrations create, in a fresh database at the latest schema
version. The bare-table references stay as context: the physical limit, which the real table's
uuid primary key and indexes put out of any backfill's reach. Ours also streams the file instead
of holding it whole, validates every record, writes a checkpoint per batch, can be rerun and sets
the aggregates. V7 dropped the four indexes no query uses (the index-floor section measures the
floor before and after it). The bench runs ours first and its reference right after: on a machine shared
with other work, repeat it and compare the ratios.
`
  return { markdown, goals }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const invocations = Number(process.env.BENCH_INVOCATIONS ?? 1_000_000)
  const work = mkdtempSync(join(tmpdir(), 'skill-metrics-backfill-'))
  try {
    const legacyFile = process.argv[2] ?? join(work, 'legacy.json')
    if (process.argv[2] === undefined)
      measureCli(work, `generate ${count(invocations)}`, [
        'generate',
        legacyFile,
        '--invocations',
        String(invocations),
      ])
    const { markdown, goals } = await backfillSection(work, legacyFile, invocations)
    console.log(`\n${markdown}`)
    for (const row of goals) console.log(`${row.name}: ${row.ratio}: ${verdict(row.met)}`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
