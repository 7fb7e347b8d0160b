// The CLI's commands as bundled ES modules: `pnpm build` runs tsc (types, checks) and then this,
// which rewrites dist/commands/**.js and dist/hooks/*.js, their shared code in dist/chunks/.
//
// Why: `track` is run once per skill invocation, so its start-up is paid every time (issue 16,
// goal 5). Unbundled, it loaded ~150 ES modules of the workspace packages, zod and stream-json
// (resolve, stat, read, compile each); bundled, the same code is a few files. Measured with
// `node bench/startup.mjs` (median of 15, interleaved with the bare oclif CLI) in one session:
// see the commit that added this file for the numbers.
//
// What stays outside the bundle, loaded from node_modules at run time (so listed in the CLI's
// `dependencies`): @oclif/core (the bin's own copy must be the one the commands extend), and what
// is only loaded when used, by a dynamic import that stays one after bundling: TypeORM and the
// drivers it loads, pg-copy-streams, ink's tables, the progress bar. Every workspace package is
// bundled, and bundled once (code splitting), so each error class exists once and `instanceof`
// holds across packages.
import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const EXTERNAL = [
  '@oclif/core',
  '@oclif/table',
  'cli-progress',
  'typeorm',
  'pg',
  'pg-copy-streams',
  'better-sqlite3',
]

const app = fileURLToPath(new URL('..', import.meta.url))
const src = join(app, 'src')

function entriesIn(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /(?<!\.test)\.ts$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
}

rmSync(join(app, 'dist/chunks'), { recursive: true, force: true })
await build({
  entryPoints: [...entriesIn(join(src, 'commands')), ...entriesIn(join(src, 'hooks'))],
  outbase: src,
  outdir: join(app, 'dist'),
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // The workspace packages from their TypeScript, as vitest reads them.
  conditions: ['@skill-metrics/source'],
  external: EXTERNAL,
  // proper-lockfile and its dependencies are CommonJS: their require() of Node's modules needs
  // a require in an ES module.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  sourcemap: true,
  logLevel: 'warning',
})
