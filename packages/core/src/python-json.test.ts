import { describe, expect, it } from 'vitest'
import { PyFloat } from './legacy.js'
import { pyFloat, pyJson, pyString } from './python-json.js'

describe('Python repr of floats', () => {
  // Each expected string is what CPython 3.11 prints for repr(value).
  it.each([
    [1e-5, '1e-05'],
    [1e16, '1e+16'],
    [1.5e16, '1.5e+16'],
    [0.0001, '0.0001'],
    [1.2345678901234568e17, '1.2345678901234568e+17'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1e15, '1000000000000000.0'],
    [12345.678, '12345.678'],
    [100, '100.0'],
    [0, '0.0'],
    [-0, '-0.0'],
    [-2.5, '-2.5'],
    [3.000001, '3.000001'],
  ])('%d → %s', (value, expected) => {
    expect(pyFloat(value)).toBe(expected)
  })
})

describe('Python json.dumps strings (ensure_ascii)', () => {
  it('escapes quotes, backslashes, controls, non-ASCII and emoji as surrogate pairs', () => {
    expect(pyString('a"b\\c')).toBe('"a\\"b\\\\c"')
    expect(pyString('\n\r\t\b\f\u0001\u007f')).toBe('"\\n\\r\\t\\b\\f\\u0001\\u007f"')
    expect(pyString('naïve ✓ 🎉')).toBe('"na\\u00efve \\u2713 \\ud83c\\udf89"')
    expect(pyString('/')).toBe('"/"')
  })
})

describe('Python json.dumps(indent=2) layout', () => {
  it('prints empty containers inline and ints and floats apart', () => {
    const value = new Map<string, unknown>([
      ['list', []],
      ['object', new Map()],
      ['int', 1],
      ['float', new PyFloat(1)],
      ['nested', [new Map([['2', null]])]],
    ])
    expect(pyJson(value as never)).toBe(
      '{\n  "list": [],\n  "object": {},\n  "int": 1,\n  "float": 1.0,\n  "nested": [\n    {\n      "2": null\n    }\n  ]\n}',
    )
  })
})
