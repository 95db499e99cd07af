/**
 * The plot kit every SVG chart is drawn with: `PlotArea` holds the measured size and margins,
 * `PlotFrame` draws the svg at that size, `AxisX` and `AxisY` the tick labels, titles and grid.
 * d3 computes the scales in the chart; Svelte draws the marks.
 */
export { PlotArea, type AxisProps, type Margin, type PlotAreaOptions } from './area.svelte';
export { scaleFromZero, scaleIndex } from './scales';
export { default as PlotFrame } from './PlotFrame.svelte';
export { default as AxisX } from './AxisX.svelte';
export { default as AxisY } from './AxisY.svelte';
