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
