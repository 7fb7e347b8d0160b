import { createInterface } from 'node:readline/promises'

/** Where a question is asked and answered: a terminal's stdin and stderr, in the CLI. */
export interface PromptStreams {
  input: NodeJS.ReadableStream & { isTTY?: boolean }
  output: NodeJS.WritableStream & { isTTY?: boolean }
}

/**
 * The confirmation a destructive command asks for before it acts, or undefined when none is
 * asked: with `--yes`, or without a terminal on both sides (a script, a pipe, a test), where
 * nobody could answer and the command goes ahead as it always did. Anything but y or yes is no.
 */
export function confirmOnTerminal(
  yes: boolean,
  streams: PromptStreams = { input: process.stdin, output: process.stderr },
): ((question: string) => Promise<boolean>) | undefined {
  if (yes || streams.input.isTTY !== true || streams.output.isTTY !== true) return undefined
  return async (question) => {
    const prompt = createInterface({ input: streams.input, output: streams.output })
    try {
      // Ctrl-C or the end of input (Ctrl-D) answers no, on a line of its own: the question
      // alone would wait for ever.
      return await new Promise<boolean>((resolve, reject) => {
        let answered = false
        prompt.once('close', () => {
          if (!answered) streams.output.write('\n')
          resolve(false)
        })
        prompt.question(`${question} [y/N] `).then((answer) => {
          answered = true
          resolve(/^y(es)?$/i.test(answer.trim()))
        }, reject)
      })
    } finally {
      prompt.close()
    }
  }
}
