import type { ReportModel } from '@skill-metrics/core'
import { writeFileDurably } from '@skill-metrics/durable-file'
import { renderHtmlReport } from './render-html-report.js'

/**
 * Renders the report and replaces `file` with it atomically and durably (a full disk leaves the
 * previous report, never half a page). A new report is private (0600), as every file the tool
 * writes from the user's history: an existing one keeps its mode.
 */
export async function writeHtmlReport(
  model: ReportModel,
  file: string,
): Promise<{ file: string; bytes: number }> {
  const html = renderHtmlReport(model)
  const { size } = await writeFileDurably(file, html)
  return { file, bytes: size }
}
