import { BadInputError } from '@skill-metrics/core'
import { describe, expect, it } from 'vitest'
import { canonicalDatabaseUrl, parseDatabaseUrl, redactUrl } from '../src/database-url.js'

describe('database URLs', () => {
  it('accepts sqlite paths relative to the working directory, and memory', () => {
    expect(parseDatabaseUrl('sqlite:.session-buddy/m.db', '/work')).toMatchObject({
      dialect: 'sqlite',
      path: '/work/.session-buddy/m.db',
      inMemory: false,
    })
    expect(parseDatabaseUrl('sqlite:///abs/m.db', '/work')).toMatchObject({ path: '/abs/m.db' })
    expect(parseDatabaseUrl('sqlite::memory:')).toMatchObject({ inMemory: true })
  })

  it('accepts postgres URLs with a schema, and never shows the password', () => {
    const target = parseDatabaseUrl('postgres://me:secret@db.example:5432/metrics?schema=tenant_1')
    expect(target).toMatchObject({ dialect: 'postgres', schema: 'tenant_1' })
    expect(target.display).not.toContain('secret')
    expect(target.display).toContain('me:***@')
    expect(redactUrl('postgresql://me:secret@h/db')).toBe('postgresql://me:***@h/db')
    expect(redactUrl('postgres://me:se@cr@et@h:5432/db')).toBe('postgres://me:***@h:5432/db')
    expect(redactUrl('postgres://h/db?user=me&password=secret')).toBe(
      'postgres://h/db?user=me&password=***',
    )
    expect(redactUrl('postgres://me@h/db')).toBe('postgres://me@h/db')
  })

  it('spells a database one way for the record beside the legacy file: absolute, no password', () => {
    const canonical = (url: string) => canonicalDatabaseUrl(parseDatabaseUrl(url, '/work'))
    expect(canonical('sqlite:.session-buddy/m.db')).toBe('sqlite:/work/.session-buddy/m.db')
    expect(canonical('sqlite:///work/.session-buddy/m.db')).toBe('sqlite:/work/.session-buddy/m.db')
    const postgres = canonical('postgresql://me:secret@DB.example/metrics?password=x&schema=t')
    expect(postgres).toBe('postgres://me@db.example:5432/metrics?schema=t')
    expect(canonical('postgres://me@db.example:5432/metrics?schema=t')).toBe(postgres)
  })

  it.each([
    ['mysql://x/y', /is not a database URL/],
    ['sqlite:', /names no file/],
    ['postgres://me:secret@/db', /names no host|not a valid URL/],
    ['postgres://me:secret@host', /names no database/],
    ['postgres://h/db?schema=a;drop', /schema parameter/],
    ['', /is not a database URL/],
  ])('refuses %s as bad input naming the flag, without the password', (url, message) => {
    let error: unknown
    try {
      parseDatabaseUrl(url)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(BadInputError)
    expect((error as Error).message).toMatch(message)
    expect((error as Error).message).toMatch(/^--db/)
    expect((error as Error).message).not.toContain('secret')
  })
})

describe('redactUrl', () => {
  it('masks the password of URLs it can parse, in the user info and in a password parameter', () => {
    expect(redactUrl('postgres://me:p%40ss@h:5432/db?schema=s')).toBe(
      'postgres://me:***@h:5432/db?schema=s',
    )
    expect(redactUrl('postgres://me:secret@h/db?PassWord=secret&x=1')).toBe(
      'postgres://me:***@h/db?PassWord=***&x=1',
    )
    expect(redactUrl('sqlite:.session-buddy/m.db')).toBe('sqlite:.session-buddy/m.db')
  })

  it('masks the password of text it cannot parse as a URL', () => {
    expect(redactUrl('postgres://me:secret@/db')).toBe('postgres://me:***@/db')
    expect(redactUrl('postgres://me:s@cret@h:99999/db')).toBe('postgres://me:***@h:99999/db')
    expect(redactUrl('postgres://me:secret@:5432/db?password=again')).toBe(
      'postgres://me:***@:5432/db?password=***',
    )
  })
})
