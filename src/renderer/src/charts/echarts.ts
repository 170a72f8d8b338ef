/**
 * The one chart library of the renderer: ECharts, tree-shaken to the charts and components the
 * screens use (see README "Screens" for why ECharts rather than uPlot).
 */
import * as echarts from 'echarts/core';
import { BarChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  DataZoomComponent,
  GraphicComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  MarkPointComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  BarChart,
  HeatmapChart,
  LineChart,
  ScatterChart,
  DataZoomComponent,
  GraphicComponent,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  MarkPointComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export { echarts };
export type { EChartsOption } from 'echarts';

/** Colours of the current theme (styles.css tokens), so charts follow light/dark. */
export interface ChartTheme {
  ink: string;
  muted: string;
  grid: string;
  panel: string;
  normal: string;
  monitor: string;
  threshold: string;
  ok: string;
  watch: string;
  alarm: string;
}

export function chartTheme(el: Element = document.documentElement): ChartTheme {
  const css = getComputedStyle(el);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    ink: v('--ink', '#1a1f26'),
    muted: v('--muted', '#58626e'),
    grid: v('--chart-grid', '#e4e7eb'),
    panel: v('--panel', '#ffffff'),
    normal: v('--chart-normal', '#56b4e9'),
    monitor: v('--chart-monitor', '#0b63a5'),
    threshold: v('--chart-threshold', '#c2410c'),
    ok: v('--state-ok', '#00785a'),
    watch: v('--state-watch', '#9a5a00'),
    alarm: v('--state-alarm', '#c2410c'),
  };
}

/** Axis styling shared by every chart: readable labels, quiet grid lines. */
export function axisStyle(t: ChartTheme) {
  return {
    // Axes sit at the edge of the plot, not where the other axis crosses 0 (indices go negative).
    axisLine: { onZero: false, lineStyle: { color: t.muted } },
    axisLabel: { color: t.muted, fontSize: 12 },
    nameTextStyle: { color: t.muted, fontSize: 12 },
    splitLine: { lineStyle: { color: t.grid } },
  };
}
