// The floor that skill_invocation's keys and indexes set for any backfill, before and after V7
// dropped the indexes no query uses: the same reference load into the real table at V6 and at the
// latest version, each next to the load into a bare table. Runnable alone:
// `node bench/index-floor.mjs` (BENCH_INVOCATIONS, default 1,000,000).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bareSqliteLoad } from './backfill.mjs'
import { count, goal, measureCli, measureNode, root, timed } from './measure.mjs'
import { copyKeyedRows, copyReference, psql, scratchPostgres } from './postgres.mjs'

// The last version with all six of V1's and V3's indexes on skill_invocation.
const BEFORE_DROP = 6

const migrate = (work, url, label, target) =>
  measureCli(work, label, [
    'schema',
    'migrate',
    '--db',
    url,
    ...(target === undefined ? [] : ['--target', String(target)]),
  ])

function sqliteFloor(work, legacyFile, label, target) {
  const database = join(work, `floor-${label}.db`)
  migrate(work, `sqlite:${database}`, `schema migrate to ${label} (SQLite)`, target)
  return measureNode(work, `floor at ${label}: the reference INSERTs into the real schema`, [
    join(root, 'bench/reference-backfill.mjs'),
    legacyFile,
    database,
    'real-schema',
  ]).seconds
}

/** Measures the floor at V6 and at the latest version on both dialects; the BENCHMARKS.md section. */
export async function indexFloorSection(work, legacyFile, invocations) {
  const rows = []
  const goals = []
  const context = (dialect, bare, before, after) => {
    rows.push([
      dialect,
      `${bare.toFixed(1)} s`,
      `${before.toFixed(1)} s (${(before / bare).toFixed(1)}× the bare load)`,
      `${after.toFixed(1)} s (${(after / bare).toFixed(1)}× the bare load)`,
      `${(before / after).toFixed(2)}×`,
    ])
    goals.push(
      goal(
        `context: the floor of a ${count(invocations)} load into the real \`skill_invocation\` on ${dialect}, after V7 (four indexes dropped)`,
        `${after.toFixed(1)} s`,
        `the same load at V6 (six indexes): ${before.toFixed(1)} s`,
        `${(before / after).toFixed(2)}× throughput`,
        undefined,
      ),
    )
  }
  const bare = bareSqliteLoad(work, legacyFile, join(work, 'floor-bare.db')).seconds
  const before = sqliteFloor(work, legacyFile, `V${BEFORE_DROP}`, BEFORE_DROP)
  const after = sqliteFloor(work, legacyFile, 'latest')
  context('SQLite', bare, before, after)
  const database = await scratchPostgres('floor')
  if (database !== undefined) {
    try {
      const { copySeconds } = copyReference(database.url, work, legacyFile)
      const keyedCsv = join(work, 'floor-rows-with-keys.csv')
      execFileSync(process.execPath, [
        join(root, 'bench/csv-of-legacy.mjs'),
        legacyFile,
        keyedCsv,
        'with-keys',
      ])
      const copyIntoReal = (label) =>
        timed(`floor at ${label}: psql \\copy into the real table`, () =>
          copyKeyedRows(database.url, keyedCsv),
        )
      migrate(work, database.url, `schema migrate to V${BEFORE_DROP} (PostgreSQL)`, BEFORE_DROP)
      const pgBefore = copyIntoReal(`V${BEFORE_DROP}`)
      psql(database.url, 'TRUNCATE skill_invocation')
      migrate(work, database.url, 'schema migrate to latest (PostgreSQL)')
      const pgAfter = copyIntoReal('latest')
      context('PostgreSQL', copySeconds, pgBefore, pgAfter)
    } finally {
      await database.drop()
    }
  }
  const markdown = `## The floor set by skill_invocation's indexes

The reference load of ${count(invocations)} invocations (SQLite: JSON.parse and one prepared
INSERT per row in one transaction; PostgreSQL: \`psql \\copy\` from CSV) into a bare table, and
into the real \`skill_invocation\` (uuid primary key) with V${BEFORE_DROP}'s six indexes and with
the latest version's two (V7 dropped the four no query uses; see migrations/README.md).

| dialect | bare table | real table at V${BEFORE_DROP} | real table at the latest version | throughput gained |
|---|---|---|---|---|
${rows.map((row) => `| ${row.join(' | ')} |`).join('\n')}
`
  return { markdown, goals }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const invocations = Number(process.env.BENCH_INVOCATIONS ?? 1_000_000)
  const work = mkdtempSync(join(tmpdir(), 'skill-metrics-index-floor-'))
  try {
    const legacyFile = join(work, 'legacy.json')
    measureCli(work, `generate ${count(invocations)}`, [
      'generate',
      legacyFile,
      '--invocations',
      String(invocations),
    ])
    const { markdown } = await indexFloorSection(work, legacyFile, invocations)
    console.log(`\n${markdown}`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
