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

	const points: number[][] = [start.slice()];
	for (let i = 0; i < n; i++) {
		const p = start.slice();
		p[i] += step;
		points.push(p);
	}
	let values = points.map(value);
	let iterations = 0;
	let converged = false;

	for (; iterations < maxIterations; iterations++) {
		const order = values.map((_, i) => i).sort((i, j) => values[i] - values[j]);
		const sortedPoints = order.map((i) => points[i]);
		values = order.map((i) => values[i]);
		points.splice(0, points.length, ...sortedPoints);

		const best = points[0];
		let spreadF = 0;
		let spreadX = 0;
		for (let i = 1; i <= n; i++) {
			spreadF = Math.max(spreadF, Math.abs(values[i] - values[0]));
			for (let j = 0; j < n; j++) spreadX = Math.max(spreadX, Math.abs(points[i][j] - best[j]));
		}
		if (spreadF <= fTol && spreadX <= xTol) {
			converged = true;
			break;
		}

		const centroid = new Array<number>(n).fill(0);
		for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += points[i][j] / n;
		const worst = points[n];
		const along = (t: number) => centroid.map((c, j) => c + t * (worst[j] - c));

		const reflected = along(-1);
		const fr = value(reflected);
		if (fr < values[0]) {
			const expanded = along(-2);
			const fe = value(expanded);
			if (fe < fr) [points[n], values[n]] = [expanded, fe];
			else [points[n], values[n]] = [reflected, fr];
		} else if (fr < values[n - 1]) {
			[points[n], values[n]] = [reflected, fr];
		} else {
			const outside = fr < values[n];
			const contracted = along(outside ? -0.5 : 0.5);
			const fc = value(contracted);
			if (fc < (outside ? fr : values[n])) [points[n], values[n]] = [contracted, fc];
			else {
				for (let i = 1; i <= n; i++) {
					points[i] = points[i].map((v, j) => best[j] + 0.5 * (v - best[j]));
					values[i] = value(points[i]);
				}
			}
		}
	}
	let bestIndex = 0;
	for (let i = 1; i <= n; i++) if (values[i] < values[bestIndex]) bestIndex = i;
	return { x: points[bestIndex], value: values[bestIndex], iterations, evaluations, converged };
}
