import { createHash } from 'node:crypto'
import {
  appendFile,
  mkdtemp,
  readdir,
  readFile,
  stat,
  truncate,
  utimes,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { BadInputError } from '@skill-metrics/core'
import { FIXTURE_NAMES, fixturePath } from '@skill-metrics/testing/fixtures'
import { describe, expect, it } from 'vitest'
import { readingThroughTornSaves, scanLegacyFile, TornReadError } from './legacy-reader.js'
import {
  expectLikeReference,
  expectNotJson,
  expectTruncationsRefused,
  range,
  record,
  scan,
  tempFile,
  trickyFile,
} from './test-support/reader-checks.js'

describe('scanLegacyFile reads what the previous reader read', () => {
  it.each(FIXTURE_NAMES)('%s.json, in chunks of any size', async (name) => {
    await expectLikeReference(fixturePath(name), [4 << 20, 64 << 10, 4096, 1000, 333, 64])
  })

  it('the edge fixture one byte at a time (two and three in the soak suite)', async () => {
    await expectLikeReference(fixturePath('edge'), [1])
  })

  it.each([
    ['raw UTF-8', false, 2],
    ['escaped like ensure_ascii', true, 2],
    ['raw UTF-8 without layout', false, 0],
    ['escaped without layout', true, 0],
  ])(
    'strings with braces, quotes, backslashes, %s, at every chunk boundary',
    async (_, ascii, indent) => {
      const file = await tempFile(trickyFile(ascii, indent))
      await expectLikeReference(file, [...range(1, 80), 97, 128, 255, 256, 1000, 4096, 4 << 20])
    },
  )

  it('a byte order mark at the start, as the decoder dropped it', async () => {
    const file = await tempFile(`\ufeff${trickyFile(true)}`)
    await expectLikeReference(file, [1, 2, 3, 4, 4096])
  })

  it('invocations after skills, unknown keys in any order, numeric-looking keys kept in order', async () => {
    const text =
      '{"zeta": {"9": [1.5, 2, "\\u00e9"], "a": null}, "skills": {"b": {"skill_name": "b", "workflow_paths": {"z": 1, "10": 2, "2": 3}}, "1": {"skill_name": "1", "total_duration_seconds": 1e-05}, "0": {"skill_name": "0"}}, "last_updated": "2025-01-01T00:00:00", "invocations": [' +
      JSON.stringify(record()) +
      '], "1": true, "": [], "x": -0.0}'
    const file = await tempFile(text)
    await expectLikeReference(file, [...range(1, 20), 4096])
    const { scan: result } = await scan(file)
    expect([...result.skills.keys()]).toEqual(['b', '1', '0'])
    expect(result.extra.map(([key]) => key)).toEqual(['zeta', '1', '', 'x'])
  })

  it('duplicate top-level keys: the last wins, as Map.set made it', async () => {
    const file = await tempFile(
      '{"skills": {"a": {"skill_name": "a"}}, "last_updated": "x", "skills": {"b": {"skill_name": "b"}}, "last_updated": "y"}',
    )
    const { scan: result } = await scan(file, { chunkBytes: 5 })
    expect([...result.skills.keys()]).toEqual(['b'])
    expect(result.last_updated).toBe('y')
  })

  it('an empty list, an empty object and a missing file', async () => {
    await expectLikeReference(await tempFile('{"invocations": [], "skills": {}}'), [1, 7, 4096])
    await expectLikeReference(await tempFile(' \n{ } \n'), [1, 4096])
    const missing = await scanLegacyFile(join(tmpdir(), 'sm-reader-none', 'none.json'))
    expect(missing).toMatchObject({ exists: false, invocationCount: 0, fingerprint: null })
  })

  it('invalid records: the same messages and indexes, and the scan goes on', async () => {
    const valid = JSON.stringify(record())
    const elements = [
      valid,
      JSON.stringify(record({ session: 'x' })),
      '1',
      '1.0',
      '"text"',
      'null',
      '[]',
      JSON.stringify(record({ completed: 'yes' })),
      JSON.stringify(record({ invoked_at: 'yesterday' })),
      valid.replace('1.5', '1e400'),
      valid.replace('1.5', '1.0'),
      JSON.stringify(record({ follow_up_actions: [1] })),
      JSON.stringify(record({ follow_up_actions: {} })),
      '{"skill_name": "s"}',
      `{"__proto__": {}, ${valid.slice(1)}`,
      `{"z": 1, "10": 2, "2": 3, ${valid.slice(1)}`,
      valid,
    ]
    const file = await tempFile(`{"invocations": [\n${elements.join(',\n')}\n]}`)
    await expectLikeReference(file, [1, 13, 100, 4096, 4 << 20], true)
    const { events } = await scan(file, { lenient: true })
    expect(events.map(([kind, index]) => `${kind} ${index}`)).toEqual(
      elements.map((_, index) => `${[0, 10, 16].includes(index) ? 'record' : 'invalid'} ${index}`),
    )
    expect(events[2]![2]).toMatch(/invocations\[2\]: expected an invocation object, got 1$/)
    expect(events[9]![2]).toMatch(
      /invocations\[9\]\.duration_seconds: expected a number, got Infinity$/,
    )
    expect(events[14]![2]).toMatch(/invocations\[14\]: unknown field "__proto__"/)
  })

  it('without onInvalid the first bad record throws, after the records before it', async () => {
    const file = await tempFile(
      JSON.stringify({ invocations: [record(), record(), record({ completed: 'yes' }), record()] }),
    )
    for (const chunkBytes of [1, 50, 4096]) {
      const events: number[] = []
      const error = await scanLegacyFile(file, (_, index) => events.push(index), {
        chunkBytes,
      }).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(BadInputError)
      expect((error as Error).message).toMatch(
        /invocations\[2\]\.completed: expected true or false/,
      )
      expect(events).toEqual([0, 1])
    }
  })
})

describe('chunks', () => {
  it('hands over every record that ends in the bytes read before that chunk’s afterChunk', async () => {
    const records = Array.from({ length: 200 }, (_, index) =>
      JSON.stringify(record({ skill_name: `s${index} }`.repeat(index % 7) }), null, 2),
    )
    const head = '{\n  "invocations": [\n'
    const ends: number[] = []
    let text = head
    for (const [index, element] of records.entries()) {
      text += (index === 0 ? '' : ',\n') + element
      ends.push(Buffer.byteLength(text))
    }
    text += '\n  ],\n  "skills": {}\n}'
    const file = await tempFile(text)
    for (const chunkBytes of [1, 17, 256, 1000, 5000, 4 << 20]) {
      const seen: number[] = []
      const checks: number[] = []
      await scanLegacyFile(file, (_, index) => seen.push(index), {
        chunkBytes,
        afterChunk: async (bytesRead) => {
          checks.push(bytesRead)
          const complete = ends.filter((end) => end <= bytesRead).length
          expect(seen.length, `after ${bytesRead} bytes in chunks of ${chunkBytes}`).toBe(complete)
        },
      })
      expect(seen).toEqual(records.map((_, index) => index))
      expect(checks.at(-1)).toBe(Buffer.byteLength(text))
      expect(checks.every((bytes, at) => bytes - (checks[at - 1] ?? 0) <= chunkBytes)).toBe(true)
    }
  })
})

describe('bad bytes are refused as the previous reader refused them', () => {
  const small = trickyFile(false)
  const chunks = [1, 2, 3, 5, 64, 4096]

  it('every seventh truncation throws, having handed over only records of the whole file (every one in the soak suite)', async () => {
    await expectTruncationsRefused(small, 7)
  })

  it.each([
    ['a lone continuation byte', Buffer.from([0x80])],
    ['a Latin-1 é', Buffer.from([0xe9])],
    ['an overlong slash', Buffer.from([0xc0, 0xaf])],
    ['a UTF-16 surrogate', Buffer.from([0xed, 0xa0, 0x80])],
    ['a cut 4-byte sequence', Buffer.from([0xf0, 0x9f, 0x98])],
    ['a 4-byte sequence with a bad last byte', Buffer.from([0xf0, 0x9f, 0x98, 0x41])],
    ['0xff', Buffer.from([0xff])],
  ])('invalid UTF-8 in a string: %s', async (_, bad) => {
    const [before, after] = small.split('ends with a brace')
    await expectNotJson(Buffer.concat([Buffer.from(before!), bad, Buffer.from(after!)]), chunks)
    await expectNotJson(Buffer.concat([Buffer.from(small), bad]), chunks)
  })

  it('invalid UTF-8 in the last bytes of the file, or only there', async () => {
    await expectNotJson(
      Buffer.concat([Buffer.from(small.slice(0, -1)), Buffer.from([0xe2, 0x82])]),
      chunks,
    )
    await expectNotJson(Buffer.from([0x7b, 0xe2, 0x82]), chunks)
  })

  it.each([
    ['garbage between records', `[${JSON.stringify(record())} x ${JSON.stringify(record())}]`],
    ['a missing comma', `[${JSON.stringify(record())} ${JSON.stringify(record())}]`],
    ['a trailing comma in the list', `[${JSON.stringify(record())},]`],
    ['a leading comma in the list', `[,${JSON.stringify(record())}]`],
    ['two commas', `[${JSON.stringify(record())},,${JSON.stringify(record())}]`],
    ['a NaN in a record', `[${JSON.stringify(record()).replace('1.5', 'NaN')}]`],
    ['an Infinity in a record', `[${JSON.stringify(record()).replace('1.5', '-Infinity')}]`],
    ['a bracket that does not match', `[${JSON.stringify(record()).replace('[]', '[}')}]`],
    ['an unterminated string', `[${JSON.stringify(record()).replace('"s"', '"s')}]`],
    ['a raw newline in a string', `[${JSON.stringify(record()).replace('"s"', '"s\n"')}]`],
    ['a bad escape', `[${JSON.stringify(record()).replace('"s"', '"\\x"')}]`],
    ['a list closed by a brace', `[${JSON.stringify(record())}}`],
    ['a single quote', `[${JSON.stringify(record()).replace('"s"', "'s'")}]`],
  ])('%s', async (_, list) => {
    await expectNotJson(`{"skills": {}, "invocations": ${list}, "last_updated": "x"}`, chunks)
  })

  it.each([
    [
      'NaN in skills',
      '{"invocations": [], "skills": {"s": {"skill_name": "s", "total_duration_seconds": NaN}}}',
    ],
    ['Infinity in an unknown key', '{"invocations": [], "x": Infinity}'],
    ['data after the object', '{"invocations": []} x'],
    ['a second object', '{"invocations": []}{}'],
    ['a trailing comma', '{"invocations": [],}'],
    ['a missing colon', '{"invocations" []}'],
    ['a missing value', '{"invocations": }'],
    ['a key that is not a string', '{invocations: []}'],
    ['a number key', '{1: []}'],
    ['an unterminated key', '{"invocations'],
    ['only an opening brace', '{'],
    ['a byte order mark in the middle', '{"invocations": [] \ufeff}'],
    ['a byte order mark after a blank', ' \ufeff{}'],
    ['a literal cut short', '{"last_updated": nul}'],
    ['a number with a leading zero', '{"x": 01}'],
    ['a lone minus', '{"x": -}'],
    ['a control character outside strings', '{"x": 1\u000b}'],
  ])('%s', async (_, text) => {
    await expectNotJson(text, chunks)
  })

  it.each([
    ['0 bytes', '', /empty \(0 bytes\)/],
    ['blanks', ' \n\t\r ', /empty \(5 bytes\)/],
    ['blanks JavaScript counts as blank', ' \u000b\u000c ', /empty \(4 bytes\)/],
  ])('%s: the file is empty', async (_, text, message) => {
    await expectNotJson(text, [1, 4096], message)
  })

  it.each([
    ['a list at the top', '[1, 2]', /top level must be a JSON object, got a list/],
    ['a string at the top', '"x"', /top level must be a JSON object, got "x"/],
    ['a number at the top', ' 5 ', /top level must be a JSON object, got 5/],
    [
      'invocations as an object',
      '{"invocations": {"a": [1]}}',
      /invocations: expected a list, got an object/,
    ],
    ['invocations as a number', '{"invocations": 1.0}', /invocations: expected a list, got 1/],
    [
      'invocations as null',
      '{"invocations": null, "skills": {}}',
      /invocations: expected a list, got null/,
    ],
    [
      'skills as a list',
      '{"invocations": [], "skills": []}',
      /skills: expected an object, got a list/,
    ],
    [
      'skills before a record',
      `{"skills": 1, "invocations": [${JSON.stringify(record())}]}`,
      /skills: expected an object/,
    ],
  ])('%s', async (_, text, message) => {
    await expectNotJson(text, [1, 3, 4096], message)
  })

  it('a syntax error after a list that is not one still says not valid JSON', async () => {
    await expectNotJson('{"invocations": {}, "x": NaN}', [1, 4096])
  })
})

describe('a lockless writer saving in place while the file is read', () => {
  it('the scan dates the bytes it read by the file’s modification time', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'sm-reader-')), 'f.json')
    await writeFile(file, await readFile(fixturePath('small')))
    const { modifiedAt } = await scanLegacyFile(file)
    // To the millisecond, cut down (a rounded time could be later than the save itself).
    const { mtimeNs } = await stat(file, { bigint: true })
    expect(modifiedAt).toBe(new Date(Number(mtimeNs / 1_000_000n)).toISOString())
  })

  it('a read cut short by a save is a TornReadError, and reading through it finds the whole save', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'sm-reader-')), 'f.json')
    const whole = await readFile(fixturePath('small'))
    await writeFile(file, whole)
    let saved = false
    // The original saves with write_text: the same inode, truncated, then written again.
    const saveOnce = async () => {
      if (saved) return
      saved = true
      await truncate(file, 0)
      await appendFile(file, whole.subarray(0, whole.length / 2))
    }
    const torn = await scanLegacyFile(file, () => {}, { afterChunk: saveOnce, chunkBytes: 4096 })
      .then(() => null)
      .catch((error: unknown) => error)
    expect(torn).toBeInstanceOf(TornReadError)
    expect((torn as Error).message).toMatch(/changed while it was read/)

    saved = false
    let attempts = 0
    const finishing = async () => {
      await saveOnce()
      // The save ends a moment later, as the Python process finishes writing.
      setTimeout(() => writeFile(file, whole), 5)
    }
    const read = await readingThroughTornSaves(() => {
      attempts += 1
      return scanLegacyFile(file, () => {}, {
        afterChunk: attempts === 1 ? finishing : undefined,
        chunkBytes: 4096,
      })
    })
    expect(attempts).toBeGreaterThan(1)
    expect(read.fingerprint).toEqual({
      size: whole.length,
      sha256: createHash('sha256').update(whole).digest('hex'),
    })
  })

  it('a snapshot is read whole however slow the pass and however often the file is saved', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'sm-reader-')), 'f.json')
    const whole = await readFile(fixturePath('small'))
    await writeFile(file, whole)
    let records = 0
    const read = await scanLegacyFile(
      file,
      () => {
        records += 1
      },
      {
        snapshot: true,
        chunkBytes: 4096,
        // Every chunk, a lockless save in place: a direct read would meet one halfway.
        afterChunk: async () => {
          await truncate(file, 0)
          await appendFile(file, whole.subarray(0, whole.length / 3))
        },
      },
    )
    expect(records).toBe(400)
    expect(read.fingerprint?.size).toBe(whole.length)
    expect((await readdir(dirname(file))).filter((name) => name.includes('snapshot'))).toEqual([])
  })

  it('a file that stays broken is reported as broken, not retried for ever', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'sm-reader-')), 'f.json')
    await writeFile(file, '{"invocations": [')
    // Written long ago: no save can be under way.
    const longAgo = new Date(Date.now() - 60_000)
    await utimes(file, longAgo, longAgo)
    let attempts = 0
    const error = await readingThroughTornSaves(() => {
      attempts += 1
      return scanLegacyFile(file)
    }).catch((thrown: unknown) => thrown)
    expect(attempts).toBe(1)
    expect(error).not.toBeInstanceOf(TornReadError)
    expect((error as Error).message).toMatch(/not valid JSON/)
  })
})
