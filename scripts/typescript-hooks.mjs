// Module hooks that let a plain Node script import the workspace's TypeScript sources (Node 20
// cannot strip types): `node --import ./scripts/typescript-hooks.mjs script.mjs`, or
// `register()` from the script before its first `import()` of a .ts module. esbuild only strips
// the types, one file at a time; tsc is what checks them.
import { readFile } from 'node:fs/promises'
import { register } from 'node:module'
import { fileURLToPath } from 'node:url'
import { transform } from 'esbuild'

/** Registers this file's `load` hook for the modules imported from now on. */
export function registerTypeScript() {
  register(import.meta.url)
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context)
  const path = fileURLToPath(url)
  const { code } = await transform(await readFile(path, 'utf8'), {
    loader: 'ts',
    format: 'esm',
    target: 'node20',
    sourcefile: path,
    sourcemap: 'inline',
  })
  return { format: 'module', source: code, shortCircuit: true }
}
