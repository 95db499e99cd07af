/**
 * Nelder–Mead simplex minimisation: derivative-free and robust on the log-likelihood surfaces of
 * the purchase models, which are smooth but badly scaled. Callers minimise over log-parameters, so
 * positivity is built in; bounds on the log-parameters keep the search away from overflow.
 */

export interface MinimiseOptions {
	/** Stop when the simplex's function values differ by at most this (absolute). */
	fTolerance?: number;
	/** …and its vertices are this close in every coordinate. */
	xTolerance?: number;
	maxIterations?: number;
	/** Size of the first simplex around the start, in parameter units. */
	step?: number;
	/** Each coordinate is kept in [lower, upper]; outside, the objective is treated as +∞. */
	lower?: number;
	upper?: number;
}

export interface MinimiseResult {
	x: number[];
	value: number;
	iterations: number;
	evaluations: number;
	converged: boolean;
}

/**
 * Minimises `f` from `start`, restarting once from the best point (a standard guard against a
 * simplex that collapsed early). `converged` is true when both runs met the tolerances and the
 * restart did not move the optimum by more than the tolerance.
 */
export function minimise(f: (x: number[]) => number, start: number[], options: MinimiseOptions = {}): MinimiseResult {
	const first = nelderMead(f, start, options);
	const second = nelderMead(f, first.x, { ...options, step: (options.step ?? 0.5) / 5 });
	const fTol = options.fTolerance ?? 1e-9;
	const best = second.value <= first.value ? second : first;
	return {
		x: best.x,
		value: best.value,
		iterations: first.iterations + second.iterations,
		evaluations: first.evaluations + second.evaluations,
		converged: first.converged && second.converged && Math.abs(first.value - second.value) <= Math.max(10 * fTol, 1e-7)
	};
}

/** One Nelder–Mead run with the standard coefficients (reflection 1, expansion 2, contraction ½, shrink ½). */
export function nelderMead(f: (x: number[]) => number, start: number[], options: MinimiseOptions = {}): MinimiseResult {
	const n = start.length;
	const fTol = options.fTolerance ?? 1e-9;
	const xTol = options.xTolerance ?? 1e-7;
	const maxIterations = options.maxIterations ?? 5000;
	const step = options.step ?? 0.5;
	const lower = options.lower ?? -Infinity;
	const upper = options.upper ?? Infinity;
	let evaluations = 0;
	const value = (x: number[]) => {
		evaluations++;
		for (const v of x) if (!(v >= lower && v <= upper)) return Infinity;
		const y = f(x);
		return Number.isNaN(y) ? Infinity : y;
	};

	// Vertices with their values, kept sorted best first.
	let simplex: { x: number[]; f: number }[] = [{ x: start.slice(), f: value(start) }];
	for (let i = 0; i < n; i++) {
		const p = start.slice();
		p[i] = start[i]! + step;
		simplex.push({ x: p, f: value(p) });
	}
	let iterations = 0;
	let converged = false;

	for (; iterations < maxIterations; iterations++) {
		simplex.sort((p, q) => p.f - q.f);
		const best = simplex[0]!;
		const worst = simplex[n]!;
		let spreadF = 0;
		let spreadX = 0;
		for (const vertex of simplex) {
			spreadF = Math.max(spreadF, Math.abs(vertex.f - best.f));
			vertex.x.forEach((v, j) => (spreadX = Math.max(spreadX, Math.abs(v - best.x[j]!))));
		}
		if (spreadF <= fTol && spreadX <= xTol) {
			converged = true;
			break;
		}

		const centroid = new Array<number>(n).fill(0);
		for (const vertex of simplex.slice(0, n)) vertex.x.forEach((v, j) => (centroid[j] = centroid[j]! + v / n));
		const along = (t: number) => centroid.map((c, j) => c + t * (worst.x[j]! - c));
		const at = (t: number) => {
			const x = along(t);
			return { x, f: value(x) };
		};

		const reflected = at(-1);
		if (reflected.f < best.f) {
			const expanded = at(-2);
			simplex[n] = expanded.f < reflected.f ? expanded : reflected;
		} else if (reflected.f < simplex[n - 1]!.f) {
			simplex[n] = reflected;
		} else {
			const outside = reflected.f < worst.f;
			const contracted = at(outside ? -0.5 : 0.5);
			if (contracted.f < (outside ? reflected.f : worst.f)) simplex[n] = contracted;
			else
				simplex = simplex.map((vertex, i) => {
					if (i === 0) return vertex;
					const x = vertex.x.map((v, j) => best.x[j]! + 0.5 * (v - best.x[j]!));
					return { x, f: value(x) };
				});
		}
	}
	simplex.sort((p, q) => p.f - q.f);
	const found = simplex[0]!;
	return { x: found.x, value: found.f, iterations, evaluations, converged };
}

export interface GradientOptions {
	/** Converged when every gradient component is at most this in size. */
	gTolerance: number;
	maxIterations?: number;
	/** Each coordinate is kept in [lower, upper]. */
	lower?: number;
	upper?: number;
	/**
	 * The first inverse Hessian approximation (row-major; identity, rescaled after the first step,
	 * when absent). A refit near a known optimum that passes the curvature there takes Newton-like
	 * steps from the first iteration.
	 */
	inverseHessian?: readonly (readonly number[])[];
}

/**
 * BFGS quasi-Newton minimisation with a backtracking (Armijo) line search, for objectives with an
 * analytic gradient: tens of evaluations where Nelder–Mead needs hundreds, which is what makes
 * 200,000 customers fit in about a second. `fg` returns the value and the gradient.
 */
export function bfgs(fg: (x: number[]) => { f: number; g: number[] }, start: number[], options: GradientOptions): MinimiseResult {
	const n = start.length;
	const maxIterations = options.maxIterations ?? 200;
	const lower = options.lower ?? -Infinity;
	const upper = options.upper ?? Infinity;
	let evaluations = 0;
	const evaluate = (x: number[]) => {
		evaluations++;
		if (x.some((v) => !(v >= lower && v <= upper))) return { f: Infinity, g: x.map(() => 0) };
		const r = fg(x);
		return Number.isFinite(r.f) && r.g.every(Number.isFinite) ? r : { f: Infinity, g: x.map(() => 0) };
	};
	let x = start.slice();
	let { f, g } = evaluate(x);
	if (!Number.isFinite(f)) return { x, value: f, iterations: 0, evaluations, converged: false };
	// Inverse Hessian approximation, row-major.
	const given = options.inverseHessian;
	let H: number[][] = given
		? given.map((row) => row.slice())
		: Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
	let iterations = 0;
	let converged = false;
	const dot = (u: number[], v: number[]) => u.reduce((s, ui, i) => s + ui * v[i]!, 0);
	for (; iterations < maxIterations; iterations++) {
		if (g.every((gi) => Math.abs(gi) <= options.gTolerance)) {
			converged = true;
			break;
		}
		let d = H.map((row) => -dot(row, g));
		let slope = dot(d, g);
		if (!(slope < 0)) {
			// Not a descent direction (H lost positive definiteness): restart along the gradient.
			H = H.map((row, i) => row.map((_, j) => (i === j ? 1 : 0)));
			d = g.map((gi) => -gi);
			slope = dot(d, g);
		}
		let step = 1;
		// Keep the first trial step moderate in log-parameter space.
		const longest = Math.max(...d.map(Math.abs));
		if (longest > 2) step = 2 / longest;
		let next: { f: number; g: number[] } | null = null;
		let xNext = x;
		for (let k = 0; k < 60; k++) {
			xNext = x.map((xi, i) => xi + step * d[i]!);
			const trial = evaluate(xNext);
			if (trial.f <= f + 1e-4 * step * slope) {
				next = trial;
				break;
			}
			step /= 2;
		}
		if (!next) break;
		const s = xNext.map((v, i) => v - x[i]!);
		const y = next.g.map((v, i) => v - g[i]!);
		const sy = dot(s, y);
		const fPrevious = f;
		x = xNext;
		f = next.f;
		g = next.g;
		if (sy > 1e-14) {
			if (iterations === 0 && !given) {
				const scale = sy / dot(y, y);
				H = H.map((row) => row.map((v) => v * scale));
			}
			const rho = 1 / sy;
			const Hy = H.map((row) => dot(row, y));
			const yHy = dot(y, Hy);
			H = H.map((row, i) => row.map((v, j) => v - rho * (Hy[i]! * s[j]! + s[i]! * Hy[j]!) + (rho * rho * yHy + rho) * s[i]! * s[j]!));
		}
		if (Math.abs(fPrevious - f) <= 1e-15 * Math.max(1, Math.abs(f)) && s.every((v) => Math.abs(v) < 1e-12)) {
			converged = g.every((gi) => Math.abs(gi) <= options.gTolerance * 100);
			break;
		}
	}
	return { x, value: f, iterations, evaluations, converged };
}

/** The fits keep each log-parameter within ±LOG_BOUND of the start (parameters within e^±12 of 1). */
export const LOG_BOUND = 12;

/**
 * How close to ±bound a fitted log-parameter counts as stuck there. BFGS stops on a tiny gradient,
 * and a likelihood that keeps rising towards a limit has a gradient that vanishes as the parameter
 * runs away (∂/∂ln a ∝ a when a → 0), so a fit can end a little short of the bound and still be on it.
 */
export const AT_BOUND_MARGIN = 0.05;

/** True when any log-parameter ended within AT_BOUND_MARGIN of ±bound. */
export function endedAtBound(x: readonly number[], bound: number = LOG_BOUND): boolean {
	return x.some((v) => Math.abs(v) > bound - AT_BOUND_MARGIN);
}

/** A minimisation on bounded log-parameters, and whether it ended on the bound. */
export interface BoundedResult extends MinimiseResult {
	/**
	 * A log-parameter ended at ±bound: the likelihood kept rising towards a limit, so there is no
	 * interior best fit, whether or not the optimiser reported convergence (a vanishing gradient
	 * there passes its test). Read from the optimiser's own coordinates, before any rescaling.
	 */
	atBound: boolean;
}

/**
 * BFGS from `start`, and the simplex from where it stopped when it stalls, on log-parameters kept
 * within ±`bound`. A BFGS stall on the bound is a likelihood that keeps rising towards infinity
 * (e.g. spend with no heterogeneity between customers drives q up without end): the simplex would
 * crawl along the bound for thousands of iterations (15 s at 40,000 buyers) and find nothing
 * better, so the result is reported unconverged at once.
 */
export function fitLogParameters(
	fg: (x: number[]) => { f: number; g: number[] },
	f: (x: number[]) => number,
	start: number[],
	options: { bound?: number; gTolerance: number; inverseHessian?: readonly (readonly number[])[] }
): BoundedResult {
	const bound = options.bound ?? LOG_BOUND;
	const bounds = { lower: -bound, upper: bound };
	const result = bfgs(fg, start, { ...bounds, gTolerance: options.gTolerance, inverseHessian: options.inverseHessian });
	if (result.converged || endedAtBound(result.x, bound)) return { ...result, atBound: endedAtBound(result.x, bound) };
	const simplex = minimise(f, result.x, { ...bounds, fTolerance: 1e-10, xTolerance: 1e-8 });
	return {
		...simplex,
		iterations: result.iterations + simplex.iterations,
		evaluations: result.evaluations + simplex.evaluations,
		atBound: endedAtBound(simplex.x, bound)
	};
}

/**
 * The inverse of a symmetric positive definite matrix by Cholesky, or null when it is not positive
 * definite (a flat or saddle direction: no curvature to start from).
 */
export function inversePositiveDefinite(m: readonly (readonly number[])[]): number[][] | null {
	const n = m.length;
	const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
	for (let i = 0; i < n; i++)
		for (let j = 0; j <= i; j++) {
			let sum = m[i]![j]!;
			for (let k = 0; k < j; k++) sum -= L[i]![k]! * L[j]![k]!;
			if (i === j) {
				if (!(sum > 0)) return null;
				L[i]![i] = Math.sqrt(sum);
			} else L[i]![j] = sum / L[j]![j]!;
		}
	// Columns of the inverse: solve L Lᵀ x = eᵢ.
	const inverse = Array.from({ length: n }, () => new Array<number>(n).fill(0));
	for (let c = 0; c < n; c++) {
		const y = new Array<number>(n).fill(0);
		for (let i = 0; i < n; i++) {
			let sum = i === c ? 1 : 0;
			for (let k = 0; k < i; k++) sum -= L[i]![k]! * y[k]!;
			y[i] = sum / L[i]![i]!;
		}
		for (let i = n - 1; i >= 0; i--) {
			let sum = y[i]!;
			for (let k = i + 1; k < n; k++) sum -= L[k]![i]! * inverse[k]![c]!;
			inverse[i]![c] = sum / L[i]![i]!;
		}
	}
	return inverse.every((row) => row.every(Number.isFinite)) ? inverse : null;
}

/**
 * The inverse Hessian of `fg`'s function at `x` (central differences of its gradient, symmetrised),
 * or null where the Hessian is not positive definite: BFGS's first inverse Hessian for a refit near x.
 */
export function inverseHessianAt(fg: (x: number[]) => { f: number; g: number[] }, x: readonly number[], h = 1e-4): number[][] | null {
	const n = x.length;
	const columns = x.map((_, j) => {
		const up = x.slice();
		const down = x.slice();
		up[j]! += h;
		down[j]! -= h;
		const gu = fg(up).g;
		const gd = fg(down).g;
		return gu.map((v, i) => (v - gd[i]!) / (2 * h));
	});
	const hessian = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (columns[i]![j]! + columns[j]![i]!) / 2));
	return inversePositiveDefinite(hessian);
}
