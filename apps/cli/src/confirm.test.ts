import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { confirmOnTerminal } from './confirm.js'

/** A stdin and a stderr that say they are (or are not) a terminal, and what was written to the latter. */
function terminal(isTTY: boolean) {
  const input = Object.assign(new PassThrough(), { isTTY })
  const output = Object.assign(new PassThrough(), { isTTY })
  let written = ''
  output.on('data', (chunk) => {
    written += String(chunk)
  })
  return { streams: { input, output }, input, written: () => written }
}

describe('confirmOnTerminal', () => {
  it('asks nothing with --yes, or without a terminal on both sides', () => {
    expect(confirmOnTerminal(true, terminal(true).streams)).toBeUndefined()
    expect(confirmOnTerminal(false, terminal(false).streams)).toBeUndefined()
    const half = terminal(true)
    expect(
      confirmOnTerminal(false, { ...half.streams, output: terminal(false).streams.output }),
    ).toBeUndefined()
  })

  it.each([
    ['y\n', true],
    ['YES\n', true],
    [' yes \n', true],
    ['n\n', false],
    ['\n', false],
    ['sure\n', false],
  ])('on a terminal, the answer %j is %s', async (answer, expected) => {
    const tty = terminal(true)
    const confirm = confirmOnTerminal(false, tty.streams)!
    const asked = confirm('Drop everything?')
    tty.input.write(answer)
    await expect(asked).resolves.toBe(expected)
    expect(tty.written()).toContain('Drop everything? [y/N] ')
  })

  it('the end of input answers no', async () => {
    const tty = terminal(true)
    const asked = confirmOnTerminal(false, tty.streams)!('Drop everything?')
    tty.input.end()
    await expect(asked).resolves.toBe(false)
  })
})
