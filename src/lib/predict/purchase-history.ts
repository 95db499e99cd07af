/**
 * The input every repeat-purchase model shares (BG/NBD, MBG/NBD, Pareto/NBD): per customer x repeat
 * purchases, t_x the time of the last one from the first purchase, T the time from the first
 * purchase to the end of the calibration period, all in one time unit.
 */

/** The customer summary as columns (one entry per customer). */
export interface PurchaseHistory {
	x: ArrayLike<number>;
	tx: ArrayLike<number>;
	T: ArrayLike<number>;
}

/**
 * The history with identical (x, t_x, T) customers merged, and times divided by `scale` so the
 * optimiser starts near the optimum whatever the time unit. Logs of α + t are needed per distinct
 * time only, so those are indexed.
 */
export interface GroupedHistory {
	scale: number;
	x: Int32Array;
	weight: Float64Array;
	txIndex: Int32Array;
	TIndex: Int32Array;
	times: Float64Array;
	maxX: number;
	totalX: number;
	customers: number;
	/** Each customer's group (index into x, weight, …), in the history's order. */
	groupOf: Int32Array;
}

/** Groups a purchase history for the likelihoods (see `GroupedHistory`); throws on a repeat count that is not a whole number ≥ 0. */
export function groupHistory(history: PurchaseHistory): GroupedHistory {
	const n = history.x.length;
	let maxT = 0;
	for (let i = 0; i < n; i++) maxT = Math.max(maxT, history.T[i]!);
	const scale = maxT > 0 ? maxT : 1;
	const timeIndex = new Map<number, number>();
	const times: number[] = [];
	const indexOf = (t: number) => {
		let k = timeIndex.get(t);
		if (k === undefined) {
			k = times.length;
			timeIndex.set(t, k);
			times.push(t / scale);
		}
		return k;
	};
	const n3 = new Int32Array(n);
	const txi = new Int32Array(n);
	const Tj = new Int32Array(n);
	let maxX = 0;
	let totalX = 0;
	for (let i = 0; i < n; i++) {
		const x = history.x[i]!;
		if (!Number.isInteger(x) || x < 0) throw new RangeError(`Repeat purchases must be whole numbers ≥ 0 (customer ${i}: ${x})`);
		n3[i] = x;
		txi[i] = indexOf(history.tx[i]!);
		Tj[i] = indexOf(history.T[i]!);
		maxX = Math.max(maxX, x);
		totalX += x;
	}
	// Customers with the same (x, t_x, T) are one group: a numeric key (exact below 2^53) is much faster than a string.
	const nt = times.length;
	const groups = new Map<number, number>();
	const xs: number[] = [];
	const weights: number[] = [];
	const txs: number[] = [];
	const Ts: number[] = [];
	const groupOf = new Int32Array(n);
	for (let i = 0; i < n; i++) {
		const key = (n3[i]! * nt + txi[i]!) * nt + Tj[i]!;
		const g = groups.get(key);
		groupOf[i] = g ?? xs.length;
		if (g === undefined) {
			groups.set(key, xs.length);
			xs.push(n3[i]!);
			weights.push(1);
			txs.push(txi[i]!);
			Ts.push(Tj[i]!);
		} else weights[g]!++;
	}
	return {
		scale,
		x: Int32Array.from(xs),
		weight: Float64Array.from(weights),
		txIndex: Int32Array.from(txs),
		TIndex: Int32Array.from(Ts),
		times: Float64Array.from(times),
		maxX,
		totalX,
		customers: n,
		groupOf
	};
}

/**
 * The same groups with other customer counts (a bootstrap resample drawn over customers): the
 * likelihoods only read the groups, so a resample costs its draws, not a regrouping.
 */
export function withGroupCounts(g: GroupedHistory, counts: Float64Array): GroupedHistory {
	let customers = 0;
	let totalX = 0;
	for (let k = 0; k < counts.length; k++) {
		customers += counts[k]!;
		totalX += counts[k]! * g.x[k]!;
	}
	return { ...g, weight: counts, customers, totalX };
}

/** A grouped history with each group's (x, t_x, T) in the history's own unit, for per-group predictions. */
export interface GroupedCustomers {
	grouped: GroupedHistory;
	x: Float64Array;
	tx: Float64Array;
	T: Float64Array;
}
