/**
 * Uncertainty by the bootstrap over customers: draw as many customers as the store has, with
 * replacement, refit, and read intervals off the spread of the refits. Each resample starts from the
 * full data's fit with the curvature there, so it needs a few optimiser steps, and only re-weights the
 * grouped history.
 * A generator, so the worker can report progress, yield to the page and stop between resamples.
 */
import { randomLcg } from 'd3';
import { curvatureAt, fitGrouped, type FitReport, type ModelSpec } from './fit';
import { groupHistory, withGroupCounts, type PurchaseHistory } from './purchase-history';

export interface BootstrapOptions {
	/** Resamples to draw (200 gives stable 90 % intervals). */
	resamples: number;
	/** The same seed gives the same resamples, so a shared link shows the same intervals. */
	seed: number;
}

export const DEFAULT_BOOTSTRAP: BootstrapOptions = { resamples: 200, seed: 1 };

/** One refit: its parameters, or null when the resample's fit did not settle (kept out of the intervals). */
export type BootstrapFit<P> = FitReport<P> | null;

/**
 * Refits `spec` on `options.resamples` resamples of `history`, starting each from `fit.params`.
 * Yields after every resample with the refit; the caller decides what to compute from it.
 */
export function* bootstrapFits<P extends object>(
	spec: ModelSpec<P>,
	history: PurchaseHistory,
	fit: FitReport<P>,
	options: BootstrapOptions = DEFAULT_BOOTSTRAP
): Generator<BootstrapFit<P>, void, void> {
	const g = groupHistory(history);
	const n = g.groupOf.length;
	const random = randomLcg(Math.abs(Math.trunc(options.seed)) % 2 ** 31);
	const curvature = curvatureAt(spec, g, fit.params) ?? undefined;
	for (let k = 0; k < options.resamples; k++) {
		const counts = new Float64Array(g.x.length);
		for (let i = 0; i < n; i++) counts[g.groupOf[Math.floor(random() * n)]!]!++;
		const refit = fitGrouped(spec, withGroupCounts(g, counts), fit.params, curvature);
		yield refit.converged && !refit.atBound ? refit : null;
	}
}

/** The central `level` interval of `values` (linear interpolation between order statistics, as R's type 7). */
export function percentileInterval(values: readonly number[], level = 0.9): { low: number; high: number } {
	if (values.length === 0) return { low: NaN, high: NaN };
	const sorted = [...values].sort((a, b) => a - b);
	const at = (q: number) => {
		const h = (sorted.length - 1) * q;
		const lo = Math.floor(h);
		return sorted[lo]! + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? sorted[lo]!) - sorted[lo]!);
	};
	return { low: at((1 - level) / 2), high: at((1 + level) / 2) };
}
