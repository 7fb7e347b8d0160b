import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ExitCode } from '@skill-metrics/core'
import { describe, expect, it } from 'vitest'

// The READMEs against the code: every command and flag they name exists in the built oclif
// manifest, and their exit-code tables say what packages/core/src/errors.ts does.
const repository = fileURLToPath(new URL('../../..', import.meta.url))
const READMES = ['README.md', 'apps/cli/README.md'] as const
const manifestFile = fileURLToPath(new URL('../oclif.manifest.json', import.meta.url))

const ROOT = ''
/** Mistyped in the README on purpose, to show what the CLI answers. */
const MISTYPED_ON_PURPOSE = new Set(['statsu'])

interface ManifestCommand {
  id: string
  flags: Record<string, unknown>
}

async function builtCommands(): Promise<Map<string, Set<string>>> {
  if (!existsSync(manifestFile)) {
    throw new Error('apps/cli is not built: run `pnpm --filter @skill-metrics/cli... build` first')
  }
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as {
    commands: Record<string, ManifestCommand>
  }
  return new Map([
    // `skill-metrics --help`, `skill-metrics --version`: oclif's own, on no command.
    [ROOT, new Set(['help', 'version'])],
    ...Object.values(manifest.commands).map((command): [string, Set<string>] => [
      command.id.split(':').join(' '),
      new Set([...Object.keys(command.flags), 'help']),
    ]),
  ])
}

interface Reference {
  /** The text as the README has it. */
  text: string
  /** The command it names: null when it names none (a flag alone, a file, a phase). */
  command: string | null
  flags: string[]
  /** Written `skill-metrics …`: it must name a command. */
  explicit: boolean
}

/**
 * What a README names as a command: every code span (`skill-metrics data migrate`,
 * `cutover [--freeze-timeout S]`, a table's `rollback [--to json-only\|dual-write]`) and the
 * runbook's bold `**data validate `[--report FILE]`**` headings. `a|b` in a command's words
 * names each.
 */
function references(markdown: string, commands: ReadonlySet<string>): Reference[] {
  const texts = [
    ...[...markdown.matchAll(/\*\*([a-z][a-z -]*?) `([^`]+)`\*\*/g)].map((m) => `${m[1]} ${m[2]}`),
    ...[...markdown.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!),
  ]
  return texts.flatMap((raw) => {
    const text = raw.replaceAll('\\|', '|')
    const tokens = text.trim().split(/\s+/)
    const explicit = tokens[0] === 'skill-metrics'
    if (explicit) tokens.shift()
    if (tokens.length === 0 || tokens[0] === '…' || MISTYPED_ON_PURPOSE.has(tokens[0]!)) return []
    const flags = [...text.matchAll(/(?:^|[\s[])--([a-z][a-z-]*)/g)].map((m) => m[1]!)
    if (tokens[0]!.startsWith('-'))
      return explicit ? [{ text: raw, command: ROOT, flags, explicit }] : []
    const words = tokens.slice(
      0,
      tokens.findIndex((token) => !/^[a-z][a-z|-]*$/.test(token)),
    )
    const named = (tokens.every((token) => /^[a-z][a-z|-]*$/.test(token)) ? tokens : words)
      .slice(0, 2)
      .reduce<string[]>(
        (prefixes, word) =>
          prefixes.flatMap((prefix) => word.split('|').map((alt) => `${prefix} ${alt}`.trim())),
        [''],
      )
    // The longest run of leading words that is a command: `schema migrate`, then `status`.
    const found = named.map((candidate) => {
      const [first, second] = candidate.split(' ')
      if (second !== undefined && commands.has(`${first} ${second}`)) return `${first} ${second}`
      return first !== ROOT && commands.has(first!) ? first! : null
    })
    return [...new Set(found)].map((command) => ({ text: raw, command, flags, explicit }))
  })
}

const commands = await builtCommands()
const readmes = await Promise.all(
  READMES.map(async (path) => ({ path, text: await readFile(join(repository, path), 'utf8') })),
)

describe.each(readmes)('$path', ({ text }) => {
  const found = references(text, new Set(commands.keys()))

  it('names commands that exist', () => {
    expect(found.filter((reference) => reference.command !== null).length).toBeGreaterThan(10)
    const unknown = found.filter((reference) => reference.explicit && reference.command === null)
    expect(unknown.map((reference) => reference.text)).toEqual([])
  })

  it("names only each command's own flags", () => {
    const wrong = found.flatMap(({ command, flags, text: where }) =>
      command === null
        ? []
        : flags
            .filter((flag) => !commands.get(command)!.has(flag))
            .map((flag) => `${command} --${flag} (in \`${where}\`)`),
    )
    expect(wrong).toEqual([])
  })

  it('has an exit-code table that says what packages/core/src/errors.ts does', () => {
    const table = text.match(/^\| (?:exit|code) +\| meaning +\|\n(?:\|.*\n)+/m)?.[0] ?? ''
    const rows = new Map(
      [...table.matchAll(/^\| (\d+) +\| (.+?) +\|$/gm)].map((m) => [Number(m[1]), m[2]!]),
    )
    expect([...rows.keys()].sort()).toEqual(Object.values(ExitCode).sort())
    for (const [name, code] of Object.entries(ExitCode)) {
      const words = name.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`)
      expect(rows.get(code), `exit ${code}`).toContain(words)
    }
    // oclif's parser and our own flag checks both throw UsageError.
    expect(rows.get(ExitCode.usage)).toContain('bad flag value')
  })

  it('names scripts that exist', () => {
    const scripts = [...text.matchAll(/scripts\/[\w-]+\.sh/g)].map((m) => m[0])
    for (const script of scripts) expect(existsSync(join(repository, script)), script).toBe(true)
  })
})

it('apps/cli/README.md documents every command', () => {
  const cliReadme = readmes.find((readme) => readme.path === 'apps/cli/README.md')!.text
  const documented = new Set(
    references(cliReadme, new Set(commands.keys())).map((reference) => reference.command),
  )
  expect(
    [...commands.keys()].filter((command) => command !== ROOT && !documented.has(command)),
  ).toEqual([])
})
