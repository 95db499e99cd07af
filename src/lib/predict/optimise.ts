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
