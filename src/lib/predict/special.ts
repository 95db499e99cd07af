/**
 * Special functions the purchase models need, in plain TypeScript (no dependencies).
 */

// Lanczos approximation, g = 7, n = 9 (Numerical Recipes / Boost coefficients): relative error ≈ 1e-15.
const LANCZOS = [
	0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
	-0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7
];
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/**
 * ln Γ(z) for z > 0. Small arguments are shifted up by one (Γ(z) = Γ(z+1)/z), where the Lanczos
 * series is most accurate.
 */
export function logGamma(z: number): number {
	if (!(z > 0)) return NaN;
	if (z < 0.5) return logGamma(z + 1) - Math.log(z);
	const x = z - 1;
	let sum = LANCZOS[0];
	for (let i = 1; i < 9; i++) sum! += LANCZOS[i]! / (x + i);
	const t = x + 7.5;
	return HALF_LOG_TWO_PI + (x + 0.5) * Math.log(t) - t + Math.log(sum!);
}

/**
 * Gauss's hypergeometric function ₂F₁(a, b; c; z) for 0 ≤ z < 1 by its power series, summed until the
 * terms stop mattering. Callers transform their arguments so the series has small parameters (see
 * `bgnbd.ts`); the cap on terms only guards against a caller that did not.
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
	if (z === 0) return 1;
	if (!(z > 0 && z < 1)) throw new RangeError(`hyp2f1 needs 0 ≤ z < 1, got ${z}`);
	let term = 1;
	let sum = 1;
	for (let n = 0; n < 100_000; n++) {
		term *= (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
		sum += term;
		if (Math.abs(term) <= 1e-15 * Math.abs(sum) && n > 2) return sum;
	}
	return sum;
}

/** ψ(x), the digamma function, for x > 0: recurrence up to 10, then the asymptotic series. */
export function digamma(x: number): number {
	let result = 0;
	while (x < 10) {
		result -= 1 / x;
		x += 1;
	}
	const f = 1 / (x * x);
	return result + Math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))));
}

const stirlingTail = (y: number) => {
	const y2 = y * y;
	return (1 / 12 - (1 / 360 - 1 / (1260 * y2)) / y2) / y;
};

/**
 * ln Γ(z + q) − ln Γ(z). For large z the two logs are huge and nearly equal, so their difference is
 * taken inside Stirling's series instead (error below 1e-13 from z = 20).
 */
export function logGammaRatio(z: number, q: number): number {
	if (z < 20) return logGamma(z + q) - logGamma(z);
	const w = z + q;
	return (z - 0.5) * Math.log1p(q / z) + q * Math.log(w) - q + stirlingTail(w) - stirlingTail(z);
}
