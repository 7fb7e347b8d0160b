// The CLI's commands as bundled ES modules: `pnpm build` runs tsc (types, checks) and then this,
// which rewrites dist/commands/**.js and dist/hooks/*.js, their shared code in dist/chunks/.
//
// Why: `track` is run once per skill invocation, so its start-up is paid every time (issue 16,
// goal 5). Unbundled, it loaded ~150 ES modules of the workspace packages, zod and stream-json
// (resolve, stat, read, compile each); bundled, the same code is a few files. Measured before
// zod became zod/mini (packages/core/src/zod.ts), interleaved medians of 15 in one session:
// bare oclif 239 ms, `track` in json-only 568 ms unbundled, 508 ms bundled.
//
// What stays outside the bundle, loaded from node_modules at run time (so listed in the CLI's
// `dependencies`): @oclif/core (the bin's own copy must be the one the commands extend), the
// database drivers (native code, loaded by TypeORM on use), and what is only loaded when used by
// a dynamic import that stays one after bundling: ink's tables, the progress bar. Every workspace
// package is bundled, and bundled once (code splitting), so each error class exists once and
// `instanceof` holds across packages.
//
// TypeORM is bundled too, into a chunk of its own still imported on use (a data source opened):
// its ~330 CommonJS modules as one file took `require('typeorm')` from ~355 to ~145 ms of CPU
// over `node -e 0`, and `track` in db-primary from 952 to 766 ms of CPU (bare oclif: 427),
// interleaved medians of 11 on a loaded machine.
import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const EXTERNAL = [
  '@oclif/core',
  '@oclif/table',
  'cli-progress',
  // Loaded by `report --html` alone (a dynamic import), from node_modules: it is large.
  'echarts',
  'pg',
  'pg-copy-streams',
  'better-sqlite3',
  // What TypeORM `require`s only for a database it is asked to open; this tool opens SQLite
  // (better-sqlite3) and PostgreSQL (pg) alone, and the others are not installed.
  'pg-native',
  'pg-query-stream',
  'mysql',
  'mysql2',
  'mongodb',
  'oracledb',
  'mssql',
  'sql.js',
  'sqlite3',
  '@sap/hana-client',
  '@sap/hana-client/extension/Stream',
  'hdb-pool',
  'ioredis',
  'redis',
  'react-native-sqlite-storage',
  'typeorm-aurora-data-api-driver',
  '@google-cloud/spanner',
  '@capacitor-community/sqlite',
  'expo-sqlite',
]

const app = fileURLToPath(new URL('..', import.meta.url))
const src = join(app, 'src')

function entriesOf(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => join(entry.parentPath, entry.name))
}

function entriesIn(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /(?<!\.test)\.ts$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
}

const shared = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // The workspace packages from their TypeScript, as vitest reads them.
  conditions: ['@skill-metrics/source'],
  external: EXTERNAL,
  // proper-lockfile, TypeORM and their dependencies are CommonJS: their require() of Node's
  // modules and of the drivers needs a require in an ES module.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  sourcemap: true,
  logLevel: 'warning',
}

rmSync(join(app, 'dist/chunks'), { recursive: true, force: true })
await build({
  ...shared,
  entryPoints: [...entriesIn(join(src, 'commands')), ...entriesIn(join(src, 'hooks'))],
  outbase: src,
  outdir: join(app, 'dist'),
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
})

// The thread that holds the writers' lock of a large file runs a file of its own, which the
// json-tracker finds beside its code (`new URL('./lock-thread.mjs', import.meta.url)`): bundled,
// with its proper-lockfile, beside the chunks.
const LOCK_THREAD = 'lock-thread.mjs'
await build({
  ...shared,
  entryPoints: [join(app, '../../packages/json-tracker/src', LOCK_THREAD)],
  outfile: join(app, 'dist/chunks', LOCK_THREAD),
})
const outside = entriesOf(join(app, 'dist'))
  .filter((file) => !file.startsWith(join(app, 'dist/chunks')))
  .filter((file) => readFileSync(file, 'utf8').includes(LOCK_THREAD))
if (outside.length > 0) {
  throw new Error(`${outside.join(', ')} look(s) for ${LOCK_THREAD} beside it, not in dist/chunks`)
}
