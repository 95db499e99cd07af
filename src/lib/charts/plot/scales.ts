/**
 * The two scales most charts here start from; each chart adds its own domain details or padding.
 * (d3 computes the positions, Svelte draws: these only save writing the same chain in every chart.)
 */
import { range, scaleBand, scaleLinear, type ScaleBand, type ScaleLinear } from 'd3';

/** Amounts from zero up to `top` (rounded up to a nice tick), drawn bottom-up over `height` pixels. */
export function scaleFromZero(top: number, height: number): ScaleLinear<number, number> {
	return scaleLinear().domain([0, top]).nice().range([height, 0]);
}

/** One band per item (0 … count − 1) across `width` pixels: a bar per bin or per period. */
export function scaleIndex(count: number, width: number): ScaleBand<number> {
	return scaleBand<number>().domain(range(count)).range([0, width]);
}
