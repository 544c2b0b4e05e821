// The chart library, loaded on first use: Observable Plot (SVG output with ARIA labels, well kept, tree-shakable)
// is imported dynamically so the first paint of the page does not carry it.
export type PlotModule = typeof import('@observablehq/plot');
export type PlotOptions = import('@observablehq/plot').PlotOptions;

let loading: Promise<PlotModule> | null = null;

export function loadPlot(): Promise<PlotModule> {
  loading ??= import('@observablehq/plot');
  return loading;
}
