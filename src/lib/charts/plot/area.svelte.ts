/**
 * The size of one chart, shared by the plot kit (`PlotFrame`, `AxisX`, `AxisY`): the width its
 * container measures, held between a minimum and a maximum, less the margins that hold the axes.
 * d3 scales are `$derived` from `innerWidth` and `innerHeight`, so a resize redraws the marks.
 */
import { createContext } from 'svelte';

/** Space around the plotting area (axes, labels, legends), in pixels. */
export interface Margin {
	top: number;
	right: number;
	bottom: number;
	left: number;
}

export interface PlotAreaOptions {
	margin: Margin;
	/**
	 * The plotting area's height: fixed, or computed from its width (a matrix that keeps its
	 * cells' proportions) or from the data (a bar per segment). Signals the function reads are
	 * followed, so a change of data resizes the chart.
	 */
	innerHeight: number | ((innerWidth: number) => number);
	/** Narrower containers scroll the chart rather than squeeze it unreadably. */
	minWidth?: number;
	/** Wider containers leave space beside the chart rather than stretch it. */
	maxWidth?: number;
}

export class PlotArea {
	/** The container's measured width (`bind:clientWidth` in `PlotFrame`); a guess until it is measured. */
	width: number = $state(640);
	readonly margin: Margin;
	readonly #options: PlotAreaOptions;

	/** Width of the plotting area, inside the margins. */
	readonly innerWidth: number = $derived.by(() => {
		const { minWidth = 0, maxWidth = Infinity } = this.#options;
		return Math.max(minWidth, Math.min(this.width, maxWidth)) - this.margin.left - this.margin.right;
	});

	/** Height of the plotting area, inside the margins. */
	readonly innerHeight: number = $derived.by(() => {
		const height = this.#options.innerHeight;
		return typeof height === 'number' ? height : height(this.innerWidth);
	});

	/** The SVG's size: the plotting area and its margins. */
	readonly outerWidth: number = $derived.by(() => this.innerWidth + this.margin.left + this.margin.right);
	readonly outerHeight: number = $derived.by(() => this.innerHeight + this.margin.top + this.margin.bottom);

	constructor(options: PlotAreaOptions) {
		this.#options = options;
		this.margin = options.margin;
	}
}

/** What every axis takes: the values marked, where each goes, and how it reads. */
export interface AxisProps<T> {
	/** The values to mark (`y.ticks(5)`, the bands of a band scale, every k-th period). */
	ticks: readonly T[];
	/** Where a value is in the plotting area: the scale itself, or a band's middle. */
	position: (value: T) => number | undefined;
	format?: (value: T) => string;
	/** The axis title: under the bottom axis, up the left one. */
	title?: string;
}

const [getPlotArea, setPlotArea] = createContext<PlotArea>();

/** The area of the `PlotFrame` an axis is drawn in. */
export { getPlotArea };
/** Set by `PlotFrame` for the axes inside it. */
export { setPlotArea };
