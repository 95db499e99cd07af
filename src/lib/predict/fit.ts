/**
 * Maximum-likelihood fitting shared by the repeat-purchase models: each model describes its
 * likelihood over a grouped history (`ModelSpec`), and `fitGrouped` does the rest — log-parameters,
 * time rescaling, the optimiser's bounds, the report. One place, so a fix to any of it reaches every model.
 */
import { fitLogParameters, inverseHessianAt, LOG_BOUND } from './optimise';
import { valueAndNumericGradient } from './gradient';
import type { GroupedHistory } from './purchase-history';

export interface FitReport<P> {
	params: P;
	logLikelihood: number;
	converged: boolean;
	/**
	 * A fitted log-parameter ended at the optimiser's bound (±LOG_BOUND around the start): the
	 * likelihood kept rising towards a limit, so there is no interior best fit. Read from the
	 * optimised log-parameters themselves: the parameters are rescaled afterwards (α by the time
	 * scale), so a test on them could never see the bound.
	 */
	atBound: boolean;
	/**
	 * The bound was one the model names as its own limit (`ModelSpec.limitAt`): the likelihood rises
	 * towards a simpler model inside the family, whose predictions the fit then gives. Says which,
	 * in the merchant's words; `atBound` is false and `converged` true for such a fit.
	 */
	limit?: string;
	iterations: number;
	evaluations: number;
	/** Customers the fit used. */
	customers: number;
	/** Wall time of the optimisation, ms. */
	ms: number;
}

/** What a model tells the fitter: its parameters and its likelihood over a grouped history. */
export interface ModelSpec<P> {
	/** The parameters, in the optimiser's order. */
	names: readonly (keyof P & string)[];
	/** Rates per unit of time (α, β): divided by the history's time scale while fitting. */
	timeScaled: readonly (keyof P & string)[];
	/**
	 * The likelihood over one grouped history in its scaled time, with any scratch space allocated
	 * once; `valueAndGradient` (gradient with respect to the log-parameters) when the model has one
	 * in closed form, central differences otherwise.
	 */
	prepare(g: GroupedHistory): { logLikelihood(p: P): number; valueAndGradient?(p: P): { ll: number; grad: number[] } };
	/**
	 * When a fit ends on the bound: whether that bound is a limit within the model (e.g. Pareto/NBD's
	 * s → ∞ at a fixed s/β, one dropout rate for everyone), given the optimiser's log-parameters and
	 * bound. A sentence for the merchant, or null when the bound means no usable fit.
	 */
	limitAt?(logParams: readonly number[], bound: number): string | null;
}

function rescale<P>(spec: ModelSpec<P>, params: P, factor: number): P {
	const out = { ...params };
	for (const name of spec.timeScaled) (out[name] as number) = (params[name] as number) * factor;
	return out;
}

/** The log-likelihood of a grouped history at parameters in its original time unit. */
export function groupedLogLikelihood<P>(spec: ModelSpec<P>, g: GroupedHistory, params: P): number {
	// Times were divided by `scale`: so are the rates, and each repeat purchase's density gains ln(scale).
	return spec.prepare(g).logLikelihood(rescale(spec, params, 1 / g.scale)) - g.totalX * Math.log(g.scale);
}

/** The negative log-likelihood over the optimiser's coordinates (log-parameters, scaled time), with its gradient. */
function objective<P extends object>(spec: ModelSpec<P>, g: GroupedHistory) {
	const model = spec.prepare(g);
	const toParams = (v: number[]) => Object.fromEntries(spec.names.map((name, i) => [name, Math.exp(v[i]!)])) as P;
	const negative = (v: number[]) => -model.logLikelihood(toParams(v));
	const valueAndGradient = model.valueAndGradient;
	const fg = valueAndGradient
		? (v: number[]) => {
				const { ll, grad } = valueAndGradient(toParams(v));
				return { f: -ll, g: grad.map((d) => -d) };
			}
		: (v: number[]) => valueAndNumericGradient(negative, v);
	return { fg, negative, toParams };
}

/** `start` (in the history's unit) in the optimiser's coordinates; every parameter 1 without one. */
function optimiserStart<P extends object>(spec: ModelSpec<P>, g: GroupedHistory, start?: P): number[] {
	const scaledStart = start ? rescale(spec, start, 1 / g.scale) : null;
	return spec.names.map((name) => (scaledStart ? Math.log(scaledStart[name] as number) : 0));
}

/** The negative log-likelihood's curvature at a fit, for refits that start there (see `curvatureAt`). */
export interface Curvature {
	/** The inverse Hessian in the optimiser's coordinates (log-parameters, scaled time). */
	inverseHessian: number[][];
}

/**
 * The curvature of the negative log-likelihood of `g` at `params` (central differences of the
 * gradient, symmetrised), or null where it is not positive definite (a fit on a limit or a ridge).
 * A bootstrap resample's likelihood has about the same curvature as the full data's, so its refit,
 * started at the full fit with this inverse Hessian, takes Newton-like steps at once: a handful of
 * evaluations instead of BFGS learning the scales from the identity (the bootstrap's main cost).
 */
export function curvatureAt<P extends object>(spec: ModelSpec<P>, g: GroupedHistory, params: P): Curvature | null {
	const { fg } = objective(spec, g);
	const inverseHessian = inverseHessianAt(fg, optimiserStart(spec, g, params));
	return inverseHessian ? { inverseHessian } : null;
}

/**
 * Fits a model by maximum likelihood: BFGS on the log-parameters (Nelder–Mead where it stalls), each
 * kept within ±LOG_BOUND of the start. Times are rescaled so that the default start (every parameter 1)
 * suits any time unit; `start` (in the history's unit) starts elsewhere, e.g. from the full data's fit
 * when refitting a bootstrap resample, and `curvature` (from `curvatureAt` there) gives BFGS its first
 * inverse Hessian.
 */
export function fitGrouped<P extends object>(spec: ModelSpec<P>, g: GroupedHistory, start?: P, curvature?: Curvature): FitReport<P> {
	const t0 = performance.now();
	if (g.customers === 0) throw new RangeError('No customers to fit');
	const { fg, negative, toParams } = objective(spec, g);
	const from = optimiserStart(spec, g, start);
	const result = fitLogParameters(fg, negative, from, {
		bound: LOG_BOUND,
		gTolerance: 1e-7 * Math.max(1000, g.customers),
		inverseHessian: curvature?.inverseHessian
	});
	// A bound the model knows as one of its limits still gives usable predictions: the limit's.
	const limit = result.atBound && spec.limitAt ? spec.limitAt(result.x, LOG_BOUND) : null;
	return {
		params: rescale(spec, toParams(result.x), g.scale),
		logLikelihood: -result.value - g.totalX * Math.log(g.scale),
		converged: result.converged || limit !== null,
		atBound: result.atBound && limit === null,
		...(limit !== null ? { limit } : {}),
		iterations: result.iterations,
		evaluations: result.evaluations,
		customers: g.customers,
		ms: performance.now() - t0
	};
}
