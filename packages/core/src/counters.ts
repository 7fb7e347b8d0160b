/**
 * Counter maps (`workflow_paths`, `common_errors`, `follow_up_actions`) as JSON object text that
 * keeps key order. `JSON.parse` would move keys that look like numbers ("3", "404") to the front,
 * and the order of these maps is part of the legacy file (ARCHITECTURE §4).
 */
export function stringifyCounter(counter: ReadonlyMap<string, number>): string {
  return `{${[...counter].map(([key, count]) => `${JSON.stringify(key)}:${count}`).join(',')}}`
}

const ENTRY = /\s*("(?:[^"\\]|\\.)*")\s*:\s*(-?\d+)\s*(,|\}\s*$)/y

/** Reads what `stringifyCounter` (or any JSON object of string → integer) wrote, in order. */
export function parseCounter(text: string): Map<string, number> {
  const counter = new Map<string, number>()
  const opening = /^\s*\{\s*/.exec(text)
  if (opening === null) throw new SyntaxError(`not a JSON object: ${text.slice(0, 40)}`)
  if (/^\s*\{\s*\}\s*$/.test(text)) return counter
  ENTRY.lastIndex = opening[0].length
  for (;;) {
    const match = ENTRY.exec(text)
    if (match === null) throw new SyntaxError(`not a counter object: ${text.slice(0, 40)}`)
    counter.set(JSON.parse(match[1]!) as string, Number(match[2]))
    if (match[3] !== ',') return counter
  }
}
