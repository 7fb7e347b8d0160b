import { type JsonObject, type JsonValue, PyFloat } from '@skill-metrics/core'
import { jsonParser } from 'stream-json/core/parser.js'

type Token = { name: string; value?: unknown }
type TokenBatch = typeof END_OF_INPUT | { values: Token[] }

/** stream-chain's marker for "no more input", a registered symbol shared by its functions. */
const END_OF_INPUT: unique symbol = Symbol.for('object-stream.none') as never

const numberOf = (text: string): number | PyFloat =>
  /[.eE]/.test(text) ? new PyFloat(Number(text)) : Number(text)

/**
 * JSON text to a JsonValue that keeps what `JSON.parse` loses: key order, even for keys that look
 * like numbers (which `JSON.parse` moves to the front), and whether a number was written as a
 * float (`1.0` stays a PyFloat). Used for the top-level values beside `invocations`, which are
 * small, and for the tests' reference reading of whole files.
 */
export function parseOrderedJson(text: string): JsonValue {
  const stack: Array<{ container: JsonValue[] | JsonObject; key: string | undefined }> = []
  let root: JsonValue | undefined
  const place = (value: JsonValue) => {
    const frame = stack.at(-1)
    if (frame === undefined) root = value
    else if (Array.isArray(frame.container)) frame.container.push(value)
    else frame.container.set(frame.key!, value)
  }
  const onToken = (token: Token) => {
    switch (token.name) {
      case 'startObject':
        stack.push({ container: new Map(), key: undefined })
        return
      case 'startArray':
        stack.push({ container: [], key: undefined })
        return
      case 'endObject':
      case 'endArray':
        return place(stack.pop()!.container)
      case 'keyValue':
        stack.at(-1)!.key = token.value as string
        return
      case 'stringValue':
        return place(token.value as string)
      case 'numberValue':
        return place(numberOf(token.value as string))
      case 'nullValue':
        return place(null)
      case 'trueValue':
        return place(true)
      case 'falseValue':
        return place(false)
    }
  }
  const tokenize = jsonParser({ streamValues: false }) as unknown as (
    input: string | typeof END_OF_INPUT,
  ) => TokenBatch
  const consume = (tokens: TokenBatch) => {
    if (tokens !== END_OF_INPUT) for (const token of tokens.values) onToken(token)
  }
  consume(tokenize(text))
  consume(tokenize(END_OF_INPUT))
  return root!
}
