import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { createInterface, type Interface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** The stdlib Python writer in the original tracker's style (load once, save whole, no lock). */
export const foreignWriterScript = fileURLToPath(
  new URL('../python/foreign_writer.py', import.meta.url),
)

/**
 * One running `foreign_writer.py --commands`: it has loaded the file once when `start` returns,
 * and every `append`/`complete` saves its whole in-memory state over the file.
 */
export class ForeignWriter {
  readonly #child: ChildProcessWithoutNullStreams
  readonly #lines: Interface
  readonly #answers: string[] = []
  readonly #waiting: Array<(line: string) => void> = []
  #stderr = ''
  /** Workflow paths (tags) of the invocations its saves returned. */
  readonly saved: string[] = []

  private constructor(file: string) {
    this.#child = spawn('python3', [foreignWriterScript, file, '--commands'])
    this.#child.stderr.on('data', (chunk: Buffer) => {
      this.#stderr += chunk.toString()
    })
    this.#lines = createInterface({ input: this.#child.stdout })
    this.#lines.on('line', (line) => {
      const waiter = this.#waiting.shift()
      if (waiter === undefined) this.#answers.push(line)
      else waiter(line)
    })
  }

  /** Starts the writer and waits until it has loaded the file. */
  static async start(file: string): Promise<ForeignWriter> {
    const writer = new ForeignWriter(file)
    await writer.#expect(/^loaded \d+$/)
    return writer
  }

  /** Completes a new invocation of `skill` tagged `tag` and saves everything it holds. */
  async append(skill: string, tag: string, outcome: 'completed' | 'abandoned' = 'completed') {
    this.#child.stdin.write(
      `append ${skill} ${tag}${outcome === 'abandoned' ? ' abandoned' : ''}\n`,
    )
    await this.#expect(new RegExp(`^saved ${tag}$`))
    this.saved.push(tag)
  }

  async quit(): Promise<void> {
    this.#child.stdin.end('quit\n')
    await new Promise<void>((resolve) => {
      if (this.#child.exitCode !== null) resolve()
      else this.#child.once('exit', () => resolve())
    })
    this.#lines.close()
  }

  async #expect(pattern: RegExp): Promise<void> {
    const line = await new Promise<string>((resolve, reject) => {
      const ready = this.#answers.shift()
      if (ready !== undefined) return resolve(ready)
      const exited = () =>
        reject(new Error(`foreign_writer.py exited (${this.#child.exitCode}): ${this.#stderr}`))
      this.#child.once('exit', exited)
      this.#waiting.push((answer) => {
        this.#child.off('exit', exited)
        resolve(answer)
      })
    })
    if (!pattern.test(line))
      throw new Error(`foreign_writer.py answered ${JSON.stringify(line)}: ${this.#stderr}`)
  }
}
