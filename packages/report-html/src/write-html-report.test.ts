import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { renderHtmlReport, writeHtmlReport } from './index.js'
import { sampleModel } from './test-support/report-models.js'

const folders: string[] = []
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true })
})

describe('writeHtmlReport', () => {
  it('writes the rendered page whole, private when new, and says its size', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'sm-report-html-'))
    folders.push(folder)
    const file = join(folder, 'report.html')
    const model = sampleModel()
    const written = await writeHtmlReport(model, file)
    const html = await readFile(file, 'utf8')
    // Whole: ECharts numbers each rendering's clip paths anew, so compare the page's frame.
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html.trimEnd().endsWith('</html>')).toBe(true)
    expect(html.length).toBeGreaterThan(renderHtmlReport(model).length * 0.9)
    expect(written).toEqual({ file, bytes: Buffer.byteLength(html) })
    expect((await stat(file)).mode & 0o777).toBe(0o600)
  })

  it('refuses a folder that does not exist, naming the file', async () => {
    const file = join(tmpdir(), 'sm-no-such-folder', 'nested', 'report.html')
    await expect(writeHtmlReport(sampleModel(), file)).rejects.toThrow(/report\.html|ENOENT/)
  })
})
