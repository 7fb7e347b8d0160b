import { BarChart, type BarSeriesOption, LineChart, type LineSeriesOption } from 'echarts/charts'
import {
  GridComponent,
  type GridComponentOption,
  LegendComponent,
  type LegendComponentOption,
  TitleComponent,
  type TitleComponentOption,
} from 'echarts/components'
import { type ComposeOption, init, use } from 'echarts/core'
import { SVGRenderer } from 'echarts/renderers'
import { PALETTE, SERIES_COLOURS } from './palette.js'

// Only the parts the report draws, so that loading the package does not load all of ECharts.
use([BarChart, LineChart, GridComponent, LegendComponent, TitleComponent, SVGRenderer])

export type ChartOption = ComposeOption<
  | BarSeriesOption
  | LineSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | TitleComponentOption
>
type SingleAxisOf<Axes> = Exclude<NonNullable<Axes>, readonly unknown[]>
type XAxisOption = SingleAxisOf<ChartOption['xAxis']>
type YAxisOption = SingleAxisOf<ChartOption['yAxis']>

interface ChartSize {
  width: number
  height: number
}

/**
 * ECharts' own SVG for one chart, rendered without a DOM. The chart is a still picture: no
 * animation (its first frame would be empty) and silent series, because hovering a series would
 * otherwise bring colours from outside the palette through the SVG's own style sheet.
 */
export function renderChartSvg(option: ChartOption, { width, height }: ChartSize): string {
  const chart = init(null, null, { renderer: 'svg', ssr: true, width, height })
  try {
    chart.setOption({
      animation: false,
      color: SERIES_COLOURS,
      textStyle: { color: PALETTE.black, fontFamily: 'sans-serif' },
      ...option,
    })
    return chart.renderToSVGString()
  } finally {
    chart.dispose()
  }
}

export function chartTitle(text: string): TitleComponentOption {
  return {
    text,
    left: 'center',
    top: 8,
    textStyle: { color: PALETTE.black, fontSize: 16 },
    borderColor: PALETTE.black,
  }
}

/** Below the title; not clickable, as nothing on the page could redraw the chart. */
export function chartLegend(): LegendComponentOption {
  return {
    top: 36,
    selectedMode: false,
    textStyle: { color: PALETTE.black },
    borderColor: PALETTE.black,
  }
}

/** An axis drawn in palette black, its name centred along it so that it reads as the axis' label. */
export function chartAxis<Axis extends XAxisOption | YAxisOption>(name: string, rest: Axis): Axis {
  return {
    name,
    nameLocation: 'middle',
    nameGap: 32,
    nameTextStyle: { color: PALETTE.black, fontSize: 13 },
    axisLine: { lineStyle: { color: PALETTE.black } },
    axisTick: { lineStyle: { color: PALETTE.black } },
    axisLabel: { color: PALETTE.black },
    splitLine: { lineStyle: { color: PALETTE.black, opacity: 0.15 } },
    ...rest,
  }
}

export interface LineChartOptions {
  title: string
  xName: string
  yName: string
  series: Array<{ name: string; points: Array<[number, number]> }>
  width?: number
  height?: number
  logX?: boolean
  /** A log y axis too (the bench's latencies span decades). */
  logY?: boolean
}

/**
 * A standalone SVG line chart (it keeps its XML namespace, so it can be written to a .svg file as
 * it is), in the report's palette.
 */
export function renderLineChartSvg({
  title,
  xName,
  yName,
  series,
  width = 760,
  height = 460,
  logX = false,
  logY = false,
}: LineChartOptions): string {
  return renderChartSvg(
    {
      title: chartTitle(title),
      legend: chartLegend(),
      // Room for a legend of two rows (the bench plots six series).
      grid: { top: 100, bottom: 56, left: 72, right: 32 },
      // The measured range, not the enclosing decades or zero, which would squeeze the lines.
      xAxis: chartAxis(xName, {
        type: logX ? 'log' : 'value',
        min: 'dataMin',
        max: 'dataMax',
        nameGap: 30,
      }),
      yAxis: chartAxis(yName, { type: logY ? 'log' : 'value', nameGap: 48 }),
      series: series.map(({ name, points }) => ({
        type: 'line',
        name,
        data: points,
        symbol: 'circle',
        symbolSize: 6,
        silent: true,
      })),
    },
    { width, height },
  )
}
