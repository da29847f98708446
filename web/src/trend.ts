// The 30-day trend chart (ECharts, loaded on demand so the dashboard's numbers paint first).
// SVG, not canvas: its texts (legend, axes) are in the page, so the browser tests read them.
import * as echarts from 'echarts/core'
import { LineChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { SVGRenderer } from 'echarts/renderers'

echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer])

export type Chart = echarts.ECharts

export function drawTrend(el: HTMLElement, chart: Chart | null, trend: { days: string[]; by_channel: Record<string, number[]> },
  label: (channel: string) => string): Chart {
  const c = chart || echarts.init(el, 'dark', { renderer: 'svg' })
  const series = Object.entries(trend.by_channel || {}).map(([k, v]) => ({ name: label(k), type: 'line' as const, data: v, smooth: true, showSymbol: false }))
  c.setOption({
    backgroundColor: 'transparent', tooltip: { trigger: 'axis' }, // A scrolling one-line legend above a grid that leaves it room, axis labels inside the grid.
    legend: { type: 'scroll', top: 0, left: 0, right: 0, itemWidth: 14, itemHeight: 8, textStyle: { fontSize: 10 } },
    grid: { left: 4, right: 10, top: 30, bottom: 4, containLabel: true },
    xAxis: { type: 'category', data: (trend.days || []).map((d) => d.slice(5)) }, yAxis: { type: 'value' }, series,
  }, true)
  return c
}
