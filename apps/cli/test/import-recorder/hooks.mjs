import { appendFileSync } from 'node:fs'

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context)
  const into = process.env.SKILL_METRICS_RECORD_IMPORTS
  if (into) appendFileSync(into, `${resolved.url}\n`)
  return resolved
}
