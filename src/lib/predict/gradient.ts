/**
 * Central-difference gradients, for the models whose likelihood has no cheap closed-form gradient
 * (Pareto/NBD's hypergeometric terms). Central differences keep the error at O(h²), about 1e-10
 * relative on the log-parameters the fits use, well inside what BFGS needs.
 */

/** The value of `f` at `x` and its gradient by central differences with step `h`. */
export function valueAndNumericGradient(f: (x: number[]) => number, x: number[], h = 1e-5): { f: number; g: number[] } {
	const value = f(x);
	const g = x.map((_, i) => {
		const up = x.slice();
		const down = x.slice();
		up[i]! += h;
		down[i]! -= h;
		return (f(up) - f(down)) / (2 * h);
	});
	return { f: value, g };
}
