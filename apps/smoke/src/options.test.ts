import { describe, expect, it } from 'vitest'
import { parseOptions, USAGE } from './options.js'

describe('the smoke run’s options', () => {
  it('run without the foreign writer unless asked', () => {
    expect(parseOptions([])).toMatchObject({
      options: { dialect: 'sqlite', invocations: 5000, writers: 4, 'foreign-writer': false },
    })
    expect(parseOptions(['--', '--foreign-writer', '--invocations', '20000'])).toMatchObject({
      options: { invocations: 20000, 'foreign-writer': true },
    })
    expect(USAGE).toContain('[--foreign-writer]')
  })

  it('run Python writers among the writers only when asked, at most as many as the writers', () => {
    expect(parseOptions([])).toMatchObject({ options: { 'python-writers': 0 } })
    expect(parseOptions(['--writers', '4', '--python-writers', '2'])).toMatchObject({
      options: { writers: 4, 'python-writers': 2 },
    })
    expect(parseOptions(['--writers', '2', '--python-writers', '2'])).toMatchObject({
      options: { writers: 2, 'python-writers': 2 },
    })
    // Four writers by default: all four may be Python, a fifth may not.
    expect(parseOptions(['--python-writers', '4'])).toMatchObject({
      options: { writers: 4, 'python-writers': 4 },
    })
    expect(parseOptions(['--python-writers', '5'])).toEqual({
      error: '--python-writers: cannot be more than --writers (they are some of the writers)',
    })
    expect(parseOptions(['--writers', '1', '--python-writers', '2'])).toEqual({
      error: expect.stringMatching(/^--python-writers: cannot be more than --writers/),
    })
    for (const wrong of ['-1', '1.5', 'two'])
      expect(parseOptions([`--python-writers=${wrong}`])).toEqual({
        error: expect.stringMatching(/^--python-writers: /),
      })
    expect(USAGE).toContain('[--python-writers P]')
  })

  it('name what is wrong', () => {
    expect(parseOptions(['--dialect', 'mysql'])).toEqual({
      error: expect.stringMatching(/^--dialect: /),
    })
    expect(parseOptions(['--foreign-writer', '--disk-full'])).toEqual({
      error: '--foreign-writer: cannot run with --disk-full',
    })
    expect(parseOptions(['--foreign-writer=yes'])).toEqual({
      error: expect.stringMatching(/foreign-writer/),
    })
  })
})
