/**
 * Per-customer bootstrap intervals without keeping every resample: a 90 % interval over R resamples
 * only needs the lowest and highest ⌈0.05·(R−1)⌉ + 2 values of each customer, so 200 resamples of
 * 200,000 customers take 35 MB instead of 320 MB. Reads the same type-7 quantiles as `percentileInterval`.
 */

/** How many values of each tail an interval at `level` over `resamples` values needs. */
function tailSize(resamples: number, level: number): number {
	return Math.min(resamples, Math.floor(((1 - level) / 2) * (resamples - 1)) + 2);
}

export class TailIntervals {
	readonly #low: Float64Array;
	readonly #high: Float64Array;
	readonly #size: number;
	readonly #resamples: number;
	readonly #level: number;
	#added = 0;

	/** Room for `items` values per resample, `resamples` resamples, intervals at `level`. */
	constructor(items: number, resamples: number, level = 0.9) {
		this.#size = tailSize(resamples, level);
		this.#resamples = resamples;
		this.#level = level;
		this.#low = new Float64Array(items * this.#size).fill(Infinity);
		this.#high = new Float64Array(items * this.#size).fill(-Infinity);
	}

	/** One resample's values, one per item. */
	add(values: ArrayLike<number>): void {
		if (this.#added >= this.#resamples) throw new RangeError(`Only ${this.#resamples} resamples were planned`);
		this.#added++;
		const k = this.#size;
		// Locals, not private fields, in the loop: it runs for every customer in every resample.
		const lowTail = this.#low;
		const highTail = this.#high;
		for (let i = 0; i < values.length; i++) {
			const v = values[i]!;
			const base = i * k;
			// Lowest tail ascending, highest tail descending: insert when the value beats the tail's last.
			if (v < lowTail[base + k - 1]!) {
				let j = k - 1;
				while (j > 0 && lowTail[base + j - 1]! > v) {
					lowTail[base + j] = lowTail[base + j - 1]!;
					j--;
				}
				lowTail[base + j] = v;
			}
			if (v > highTail[base + k - 1]!) {
				let j = k - 1;
				while (j > 0 && highTail[base + j - 1]! < v) {
					highTail[base + j] = highTail[base + j - 1]!;
					j--;
				}
				highTail[base + j] = v;
			}
		}
	}

	/** Item `i`'s interval over the resamples added so far (type-7 quantiles; NaN before any). */
	interval(i: number): { low: number; high: number } {
		const n = this.#added;
		if (n === 0) return { low: NaN, high: NaN };
		const k = this.#size;
		const h = (n - 1) * ((1 - this.#level) / 2);
		const lo = Math.floor(h);
		const frac = h - lo;
		const low = this.#low.subarray(i * k, i * k + k);
		const high = this.#high.subarray(i * k, i * k + k);
		// The (lo)-th lowest and the (lo)-th highest, interpolated towards the next order statistic.
		const next = (tail: Float64Array, at: number) => tail[Math.min(at + 1, n - 1, k - 1)]!;
		return {
			low: low[lo]! + frac * (next(low, lo) - low[lo]!),
			high: high[lo]! + frac * (next(high, lo) - high[lo]!)
		};
	}
}
