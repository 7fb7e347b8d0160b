const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Safe in text and in quoted attribute values alike, so no call site has to know which it is. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]!)
}

const COUNT_FORMAT = new Intl.NumberFormat('en-US')

export const formatCount = (count: number): string => COUNT_FORMAT.format(count)
export const formatPercent = (percent: number): string => percent.toFixed(1)
export const formatSeconds = (seconds: number): string => seconds.toFixed(2)

/**
 * A number cell that carries the raw value beside the shown one, so that a test or a script can
 * compare it with `skill-metrics metrics --json` without parsing the rounding back.
 */
export function numberCell(
  value: number | null,
  format: (value: number) => string,
  field?: string,
): string {
  const fieldAttribute = field === undefined ? '' : ` data-field="${field}"`
  const raw = value === null ? '' : String(value)
  const shown = value === null ? '–' : format(value)
  return `<td class="number"${fieldAttribute} data-value="${raw}">${escapeHtml(shown)}</td>`
}

export const textCell = (text: string): string => `<td>${escapeHtml(text)}</td>`

/** A table whose rows are already markup; the header names are fixed text of this package. */
export function table(headers: string[], rows: string[], attributes = ''): string {
  const head = headers.map((header) => `<th scope="col">${header}</th>`).join('')
  return `<table${attributes}><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`
}
