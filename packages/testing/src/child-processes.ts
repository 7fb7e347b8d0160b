import { fileURLToPath } from 'node:url'

// Children run under plain `node`, so these are .mjs files that import the packages' built output.

/** A library writer that follows every phase transition; argv: jsonFile, url, writer, stopFile. */
export const lifecycleWriter = fileURLToPath(
  new URL('./child-lifecycle-writer.mjs', import.meta.url),
)

/** Loaded with `node --import`, fails the writes that `SKILL_METRICS_WRITE_FAULT` names. */
export const writeFaultInjector = fileURLToPath(
  new URL('./inject-write-faults.mjs', import.meta.url),
)
