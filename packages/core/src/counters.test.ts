import { describe, expect, it } from 'vitest'
import { parseCounter, stringifyCounter } from './counters.js'

describe('ordered counter maps', () => {
  it('round-trip keys that look like numbers, quotes and emoji in their order', () => {
    const counter = new Map([
      ['z', 1],
      ['10', 2],
      ['2', 3],
      ['with "quote" \\ and ,:}', 4],
      ['🎉 ünï', 5],
    ])
    const text = stringifyCounter(counter)
    expect([...parseCounter(text)]).toEqual([...counter])
    expect(Object.keys(JSON.parse(text))[0]).toBe('2')
  })

  it('reads what PostgreSQL json and spacing give back, and the empty map', () => {
    expect([...parseCounter('{ "b" : 1 , "a":2 }')]).toEqual([
      ['b', 1],
      ['a', 2],
    ])
    expect(parseCounter('{}').size).toBe(0)
    expect(parseCounter(' { } ').size).toBe(0)
  })

  it('refuses what is not a counter', () => {
    expect(() => parseCounter('[]')).toThrow(SyntaxError)
    expect(() => parseCounter('{"a": "1"}')).toThrow(SyntaxError)
    expect(() => parseCounter('{"a": 1')).toThrow(SyntaxError)
  })
})
