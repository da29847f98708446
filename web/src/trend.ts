// The 30-day trend chart (ECharts, loaded on demand so the dashboard's numbers paint first).
import * as echarts from 'echarts/core'
import { LineChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer])

export type Chart = echarts.ECharts

export function drawTrend(el: HTMLElement, chart: Chart | null, trend: { days: string[]; by_channel: Record<string, number[]> },
  label: (channel: string) => string): Chart {
  const c = chart || echarts.init(el, 'dark', { renderer: 'canvas' })
  const series = Object.entries(trend.by_channel || {}).map(([k, v]) => ({ name: label(k), type: 'line' as const, data: v, smooth: true, showSymbol: false }))
  c.setOption({
    backgroundColor: 'transparent', tooltip: { trigger: 'axis' }, legend: { top: 0, textStyle: { fontSize: 10 } },
    grid: { left: 32, right: 8, top: 40, bottom: 20 },
    xAxis: { type: 'category', data: (trend.days || []).map((d) => d.slice(5)) }, yAxis: { type: 'value' }, series,
  }, true)
  return c
}
