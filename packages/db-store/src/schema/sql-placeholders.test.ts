import { describe, expect, it } from 'vitest'
import { numberPlaceholders } from './sql-splitter.js'

describe('numberPlaceholders', () => {
  it('numbers every ? in order', () => {
    expect(numberPlaceholders('SELECT a FROM t WHERE b = ? AND c IN (?, ?)')).toBe(
      'SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)',
    )
    expect(numberPlaceholders('SELECT 1')).toBe('SELECT 1')
  })

  it("leaves a ? inside a '…' string or an E'…' string alone", () => {
    expect(numberPlaceholders("SELECT 'why?', x FROM t WHERE y = ? AND z = 'it''s ?'")).toBe(
      "SELECT 'why?', x FROM t WHERE y = $1 AND z = 'it''s ?'",
    )
    expect(numberPlaceholders("SELECT E'\\' ?' WHERE a = ?")).toBe("SELECT E'\\' ?' WHERE a = $1")
  })

  it('leaves a ? inside a quoted identifier, a comment or a dollar-quoted body alone', () => {
    expect(numberPlaceholders('SELECT "odd?name" FROM t WHERE a = ?')).toBe(
      'SELECT "odd?name" FROM t WHERE a = $1',
    )
    expect(numberPlaceholders('SELECT a -- why ?\nFROM t /* or ? */ WHERE b = ?')).toBe(
      'SELECT a -- why ?\nFROM t /* or ? */ WHERE b = $1',
    )
    expect(numberPlaceholders('SELECT $$ ? $$, $tag$ ? $tag$, ?')).toBe(
      'SELECT $$ ? $$, $tag$ ? $tag$, $1',
    )
  })

  it('numbers across statements and keeps everything else byte for byte', () => {
    expect(numberPlaceholders('UPDATE t SET a = ?; SELECT ?')).toBe(
      'UPDATE t SET a = $1; SELECT $2',
    )
  })
})
