/**
 * ln ₂F₁(c, q; c+1; z) for 0 ≤ z < 1, c > 0, c+1−q > 0: the only hypergeometric function Pareto/NBD
 * needs (its likelihood's integral, P(alive), P(no order within t)), with its partial derivatives
 * for the fitter's closed-form gradient.
 *
 * Euler's transformation writes it as (1−z)^(1−q) · S with S = ₂F₁(1, c+1−q; c+1; z) = Σₙ (c+1−q)ₙ/(c+1)ₙ zⁿ,
 * a series of positive terms. Its terms fall like n^−q zⁿ, and while n ≪ c+1−q nearly like zⁿ: when a
 * fit runs towards many similar customers' dropout rates (s and β large together, so c+1−q = s+1 is
 * large and z = (β−α)/(β+t) is near 1), the series needs tens of thousands of terms, and the fit of a
 * demo store took half a minute in the browser. S is also the continued fraction of the incomplete
 * beta function B_z(c, 1−q) (Numerical Recipes' `betacf`, with a = c, b = 1−q): it converges in a few
 * hundred steps where the series needs 20,000. The series (cheaper per term, and what reproduced the
 * published CDNOW fit) runs where an estimate says it settles within SERIES_TERMS terms, the fraction
 * elsewhere and wherever the series still has not settled by then.
 */

/** Series terms summed at most before the continued fraction takes over. */
const SERIES_TERMS = 120;
/** The continued fraction's steps are capped so that no input can freeze a fit (c 1.5, 1 − z = 1e-4 takes about 1,500). */
const FRACTION_STEPS = 20_000;
const TOLERANCE = 1e-15;

/** ln ₂F₁(c, q; c+1; z) and its partial derivatives in c, q and z. */
export interface Hyp2f1WithSlopes {
	value: number;
	dc: number;
	dq: number;
	dz: number;
}

/**
 * Whether the series settles within SERIES_TERMS terms, estimated without running it: its n-th term
 * is about zⁿ (1 + n/(c+1−q))^−q (each ratio (c+1−q+k)/(c+1+k)·z ≈ z·e^(−q/(c+1−q+k))). Going
 * straight to the continued fraction where it would not saves the wasted terms: the demo store's
 * likelihood spends most of its time there.
 */
function seriesIsQuick(c: number, q: number, z: number): boolean {
	const logLastTerm = SERIES_TERMS * Math.log(z) - q * Math.log1p(SERIES_TERMS / (c + 1 - q));
	return logLastTerm < Math.log(TOLERANCE * (1 - z));
}

function checkArguments(c: number, q: number, z: number): void {
	if (!(z >= 0 && z < 1)) throw new RangeError(`The series needs 0 ≤ z < 1, got ${z}`);
	if (!(c + 1 - q > 0)) throw new RangeError(`The series needs c + 1 − q > 0, got c = ${c}, q = ${q}`);
}

/**
 * ln ₂F₁(c, q; c+1; z) for 0 ≤ z < 1 and c+1−q > 0 (see the module comment). Throws a RangeError
 * outside that domain, where the series would alternate.
 */
export function logHyp2f1OneUp(c: number, q: number, z: number): number {
	checkArguments(c, q, z);
	if (z === 0) return 0;
	const top = c + 1 - q;
	let term = 1;
	let sum = 1;
	// Every term is less than z times the one before, so the tail after a term is at most term·z/(1−z).
	const tailFactor = z / (1 - z);
	let converged = false;
	const terms = seriesIsQuick(c, q, z) ? SERIES_TERMS : 0;
	for (let n = 0; n < terms; n++) {
		term *= ((top + n) / (c + 1 + n)) * z;
		sum += term;
		if (term * tailFactor <= TOLERANCE * sum) {
			converged = true;
			break;
		}
	}
	if (!converged) sum = fraction(c, q, z, null);
	return (1 - q) * Math.log1p(-z) + Math.log(sum);
}

/**
 * `logHyp2f1OneUp` with its derivatives. Series: with uₙ its terms, ∂ln S/∂c = Σ uₙ Σ_{k<n} (1/(c+1−q+k) −
 * 1/(c+1+k)) / S, ∂ln S/∂q = −Σ uₙ Σ_{k<n} 1/(c+1−q+k) / S and ∂ln S/∂z = Σ n·uₙ / (z·S); the prefactor
 * (1−z)^(1−q) adds its own. The continued fraction differentiates its recurrences alongside.
 */
export function logHyp2f1OneUpWithSlopes(c: number, q: number, z: number): Hyp2f1WithSlopes {
	checkArguments(c, q, z);
	const top = c + 1 - q;
	if (z === 0) return { value: 0, dc: 0, dq: 0, dz: top / (c + 1) - (1 - q) };
	let term = 1;
	let sum = 1;
	let sumC = 0;
	let sumQ = 0;
	let sumN = 0;
	let hc = 0;
	let hq = 0;
	const tailFactor = z / (1 - z);
	let converged = false;
	const terms = seriesIsQuick(c, q, z) ? SERIES_TERMS : 0;
	for (let n = 0; n < terms; n++) {
		hc += 1 / (top + n) - 1 / (c + 1 + n);
		hq -= 1 / (top + n);
		term *= ((top + n) / (c + 1 + n)) * z;
		sum += term;
		sumC += term * hc;
		sumQ += term * hq;
		sumN += (n + 1) * term;
		if (term * tailFactor <= TOLERANCE * sum) {
			converged = true;
			break;
		}
	}
	const log1mz = Math.log1p(-z);
	if (!converged) {
		const slopes = new Float64Array(3);
		const s = fraction(c, q, z, slopes);
		return { value: (1 - q) * log1mz + Math.log(s), dc: slopes[0]!, dq: -log1mz + slopes[1]!, dz: -(1 - q) / (1 - z) + slopes[2]! };
	}
	return {
		value: (1 - q) * log1mz + Math.log(sum),
		dc: sumC / sum,
		dq: -log1mz + sumQ / sum,
		dz: -(1 - q) / (1 - z) + sumN / (z * sum)
	};
}

/**
 * S = ₂F₁(1, c+1−q; c+1; z) by its continued fraction 1/(1 + d₁/(1 + d₂/(1 + …))), with a = c, b = 1−q:
 *   d_{2m+1} = −(a+m)(a+b+m) z / ((a+2m)(a+2m+1)),   d_{2m} = m(b−m) z / ((a+2m−1)(a+2m)),
 * evaluated by the forward recurrences Aₙ = Aₙ₋₁ + dₙ Aₙ₋₂ (the same for Bₙ), S ≈ Aₙ/Bₙ. With `slopes`,
 * the recurrences' derivatives in (a, b, z) run alongside and ∂ln S/∂c, ∂ln S/∂q, ∂ln S/∂z are written
 * there (∂/∂q = −∂/∂b). A, B and their derivatives are rescaled together, which leaves every ratio as is.
 */
function fraction(c: number, q: number, z: number, slopes: Float64Array | null): number {
	const a = c;
	const b = 1 - q;
	// Convergents n−2 and n−1, with their derivatives in a, b and z.
	let A2 = 0;
	let B2 = 1;
	let A1 = 1;
	let B1 = 1;
	let A2a = 0,
		A2b = 0,
		A2z = 0,
		B2a = 0,
		B2b = 0,
		B2z = 0;
	let A1a = 0,
		A1b = 0,
		A1z = 0,
		B1a = 0,
		B1b = 0,
		B1z = 0;
	let previous = 1;
	let slopeA = 0;
	let slopeB = 0;
	let slopeZ = 0;
	for (let n = 1; n <= FRACTION_STEPS; n++) {
		let d: number;
		let da: number;
		let db: number;
		if (n % 2 === 1) {
			const m = (n - 1) / 2;
			d = (-(a + m) * (a + b + m) * z) / ((a + 2 * m) * (a + 2 * m + 1));
			da = d * (1 / (a + m) + 1 / (a + b + m) - 1 / (a + 2 * m) - 1 / (a + 2 * m + 1));
			db = d / (a + b + m);
		} else {
			const m = n / 2;
			const den = (a + 2 * m - 1) * (a + 2 * m);
			d = (m * (b - m) * z) / den;
			da = -d * (1 / (a + 2 * m - 1) + 1 / (a + 2 * m));
			db = (m * z) / den;
		}
		const dz = d / z;
		const A = A1 + d * A2;
		const B = B1 + d * B2;
		let Aa = 0,
			Ab = 0,
			Az = 0,
			Ba = 0,
			Bb = 0,
			Bz = 0;
		if (slopes) {
			Aa = A1a + d * A2a + da * A2;
			Ab = A1b + d * A2b + db * A2;
			Az = A1z + d * A2z + dz * A2;
			Ba = B1a + d * B2a + da * B2;
			Bb = B1b + d * B2b + db * B2;
			Bz = B1z + d * B2z + dz * B2;
		}
		A2 = A1;
		B2 = B1;
		A1 = A;
		B1 = B;
		A2a = A1a;
		A2b = A1b;
		A2z = A1z;
		B2a = B1a;
		B2b = B1b;
		B2z = B1z;
		A1a = Aa;
		A1b = Ab;
		A1z = Az;
		B1a = Ba;
		B1b = Bb;
		B1z = Bz;
		// Keep the convergents near 1: only their ratios matter.
		const scale = Math.abs(B1);
		if (scale > 1e100 || scale < 1e-100) {
			const k = 1 / scale;
			A2 *= k;
			B2 *= k;
			A1 *= k;
			B1 *= k;
			A2a *= k;
			A2b *= k;
			A2z *= k;
			B2a *= k;
			B2b *= k;
			B2z *= k;
			A1a *= k;
			A1b *= k;
			A1z *= k;
			B1a *= k;
			B1b *= k;
			B1z *= k;
		}
		const value = A1 / B1;
		const settled = Math.abs(value - previous) <= TOLERANCE * Math.abs(value);
		previous = value;
		if (!slopes) {
			if (settled && n > 2) break;
			continue;
		}
		// ∂ln(A/B) = ∂A/A − ∂B/B; the derivatives must have settled too.
		const sa = A1a / A1 - B1a / B1;
		const sb = -(A1b / A1 - B1b / B1);
		const sz = A1z / A1 - B1z / B1;
		const moved = Math.max(
			Math.abs(sa - slopeA) / Math.max(1, Math.abs(sa)),
			Math.abs(sb - slopeB) / Math.max(1, Math.abs(sb)),
			Math.abs(sz - slopeZ) / Math.max(1, Math.abs(sz))
		);
		slopeA = sa;
		slopeB = sb;
		slopeZ = sz;
		if (settled && moved <= 1e-13 && n > 2) break;
	}
	if (slopes) {
		slopes[0] = slopeA;
		slopes[1] = slopeB;
		slopes[2] = slopeZ;
	}
	return previous;
}
