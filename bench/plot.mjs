// A log-log line chart as a standalone SVG string, for the plots in BENCHMARKS.md.
//
// Hand-written rather than a charting library on purpose: the only chart is three series of three
// points on decade axes. The headless options cost far more than this file: vega + vega-lite (vega
// alone depends on 27 vega-* packages, with d3 modules beneath them) or a headless browser, a
// root dependency in every install for one picture. Plain SVG text also diffs readably when the
// numbers change.

const WIDTH = 760
const HEIGHT = 460
const MARGIN = { left: 72, right: 190, top: 44, bottom: 56 }
const FONT = 'font-family="Helvetica, Arial, sans-serif"'

const escapeXml = (text) =>
  String(text).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')

/** The whole decades that hold every value, so that each axis starts and ends on a labelled tick. */
function decades(values) {
  const low = Math.floor(Math.log10(Math.min(...values)))
  const high = Math.ceil(Math.log10(Math.max(...values)))
  return { low, high: high === low ? low + 1 : high }
}

const trim = (value) => Number(value.toPrecision(3)).toString()

/**
 * `series`: [{ name, color, points: [{ x, y, upper }] }]. `y` is drawn as a solid line with
 * markers and its value; `upper` (optional) as a lighter dashed line of the same colour.
 */
export function logLogChart({ title, xLabel, yLabel, series, xTick, upperLabel, lowerLabel }) {
  const points = series.flatMap((line) => line.points)
  const xs = decades(points.map((point) => point.x))
  const ys = decades(points.flatMap((point) => [point.y, point.upper ?? point.y]))
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom
  const sx = (x) => MARGIN.left + ((Math.log10(x) - xs.low) / (xs.high - xs.low)) * plotWidth
  const sy = (y) => MARGIN.top + (1 - (Math.log10(y) - ys.low) / (ys.high - ys.low)) * plotHeight
  const out = []
  const line = (x1, y1, x2, y2, style) =>
    out.push(
      `<line x1="${x1.toFixed(1)}" y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}" ${style}/>`,
    )
  const text = (x, y, content, style = '') =>
    out.push(
      `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${FONT} ${style}>${escapeXml(content)}</text>`,
    )
  const bottom = MARGIN.top + plotHeight
  const right = MARGIN.left + plotWidth

  for (const [axis, scale] of [
    [xs, sx],
    [ys, sy],
  ]) {
    for (let decade = axis.low; decade <= axis.high; decade += 1) {
      for (let step = 1; step <= (decade === axis.high ? 1 : 9); step += 1) {
        const at = scale(step * 10 ** decade)
        const style = `stroke="${step === 1 ? '#c8c8c8' : '#ececec'}" stroke-width="1"`
        if (scale === sx) line(at, MARGIN.top, at, bottom, style)
        else line(MARGIN.left, at, right, at, style)
      }
      const value = 10 ** decade
      if (scale === sx)
        text(sx(value), bottom + 18, xTick(value), 'font-size="12" text-anchor="middle"')
      else text(MARGIN.left - 8, sy(value) + 4, trim(value), 'font-size="12" text-anchor="end"')
    }
  }
  out.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#888"/>`,
  )
  text(MARGIN.left + plotWidth / 2, HEIGHT - 14, xLabel, 'font-size="13" text-anchor="middle"')
  text(
    0,
    0,
    yLabel,
    `font-size="13" text-anchor="middle" transform="translate(18 ${MARGIN.top + plotHeight / 2}) rotate(-90)"`,
  )
  text(MARGIN.left, 26, title, 'font-size="15" font-weight="bold"')

  const path = (coordinates) =>
    coordinates.map(([x, y], index) => `${index ? 'L' : 'M'}${x.toFixed(1)} ${y.toFixed(1)}`)
  for (const { color, points: seriesPoints } of series) {
    const upper = seriesPoints.filter((point) => point.upper !== undefined)
    if (upper.length > 0) {
      out.push(
        `<path d="${path(upper.map((point) => [sx(point.x), sy(point.upper)])).join(' ')}" fill="none" stroke="${color}" stroke-opacity="0.45" stroke-width="2" stroke-dasharray="6 4"/>`,
      )
      for (const point of upper) {
        out.push(
          `<circle cx="${sx(point.x).toFixed(1)}" cy="${sy(point.upper).toFixed(1)}" r="2.5" fill="${color}" fill-opacity="0.45"/>`,
        )
      }
    }
    out.push(
      `<path d="${path(seriesPoints.map((point) => [sx(point.x), sy(point.y)])).join(' ')}" fill="none" stroke="${color}" stroke-width="2.5"/>`,
    )
    for (const point of seriesPoints) {
      const x = sx(point.x)
      out.push(
        `<circle cx="${x.toFixed(1)}" cy="${sy(point.y).toFixed(1)}" r="4" fill="${color}"/>`,
      )
      // Labels at the right edge go left of their point, clear of the frame and the legend.
      const anchor = x > right - 40 ? ['end', -7] : ['start', 7]
      text(
        x + anchor[1],
        sy(point.y) + 15,
        trim(point.y),
        `font-size="11" fill="${color}" text-anchor="${anchor[0]}"`,
      )
    }
  }

  const legendX = right + 24
  series.forEach(({ name, color }, index) => {
    const y = MARGIN.top + 14 + index * 22
    line(legendX, y, legendX + 26, y, `stroke="${color}" stroke-width="2.5"`)
    text(legendX + 34, y + 4, name, 'font-size="13"')
  })
  const keyY = MARGIN.top + 14 + series.length * 22 + 12
  line(legendX, keyY, legendX + 26, keyY, 'stroke="#444" stroke-width="2.5"')
  text(legendX + 34, keyY + 4, lowerLabel, 'font-size="12"')
  line(
    legendX,
    keyY + 20,
    legendX + 26,
    keyY + 20,
    'stroke="#444" stroke-opacity="0.45" stroke-width="2" stroke-dasharray="6 4"',
  )
  text(legendX + 34, keyY + 24, upperLabel, 'font-size="12"')

  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">
<title>${escapeXml(title)}</title>
<rect width="100%" height="100%" fill="white"/>
${out.join('\n')}
</svg>
`
}
