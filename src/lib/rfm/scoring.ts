/**
 * Turning recency, frequency and monetary values into scores.
 *
 * Balanced scoring works on the metric's distribution (distinct values with customer counts):
 * DuckDB groups the values, this module splits the groups into contiguous bins in TypeScript,
 * and the bins' upper values become a CASE expression DuckDB applies to every customer.
 */
import { num } from '../sql';
import { isIsoDate } from '../dates';
import { METRICS, type Metric, type ScoreBand, type ScoringSettings } from './types';
import { CUSTOMER_METRICS } from '../db/tables';

/** A run of customers sharing values from `lo` to `hi` (one value, or a bucket of adjacent values). */
export interface ValueGroup {
	lo: number;
	hi: number;
	count: number;
}

/** Column of `customer_metrics` behind each metric. */
export const METRIC_COLUMN: Record<Metric, string> = {
	recency: 'recency_days',
	frequency: 'frequency',
	monetary: 'monetary'
};

/**
 * How many buckets the distribution query may return per metric. Ties never span two buckets, so
 * this only limits where a bin may end among distinct values: to within total/BUCKETS customers
 * of the ideal place (0.1%), while keeping the split below instant.
 */
export const DISTRIBUTION_BUCKETS = 1000;

/** The most score levels a scoring may have (`validateScoring`). */
export const MAX_LEVELS = 9;

/**
 * One query returning every metric's distribution as `(metric, lo, hi, count)`, buckets in value order.
 * The lowest MAX_LEVELS distinct values always keep a bucket each: otherwise rare values in a long
 * tail (say 4, 5 and 6 orders among 10,000 customers) share the last bucket, fewer buckets than
 * levels remain, and a score is skipped although the metric has enough distinct values.
 */
export function distributionSql(table = CUSTOMER_METRICS): string {
	const part = (metric: Metric) => `SELECT '${metric}' AS metric, v FROM (SELECT ${METRIC_COLUMN[metric]} AS v FROM ${table})`;
	return `WITH vals AS (${part('recency')} UNION ALL ${part('frequency')} UNION ALL ${part('monetary')}),
groups AS (SELECT metric, v, count(*) AS n FROM vals GROUP BY metric, v),
placed AS (
	SELECT metric, v, n,
		sum(n) OVER (PARTITION BY metric ORDER BY v ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before,
		sum(n) OVER (PARTITION BY metric) AS total,
		row_number() OVER (PARTITION BY metric ORDER BY v) AS value_rank
	FROM groups
)
SELECT metric, CAST(min(v) AS DOUBLE) AS lo, CAST(max(v) AS DOUBLE) AS hi, CAST(sum(n) AS DOUBLE) AS count
FROM placed
GROUP BY metric, CASE WHEN value_rank <= ${MAX_LEVELS} THEN -value_rank ELSE floor(coalesce(before, 0) * ${DISTRIBUTION_BUCKETS} / total) END
ORDER BY metric, lo`;
}

/**
 * Splits value groups (ascending) into `min(levels, groups)` contiguous bins whose customer counts
 * are as close to equal as the groups allow: the split minimising the sum of squared differences
 * from the ideal size, found by dynamic programming. Every bin holds at least one group, so no
 * score is skipped when there are at least `levels` groups.
 */
export function balancedBins(groups: readonly ValueGroup[], levels: number): ValueGroup[] {
	const d = groups.length;
	const k = Math.min(levels, d);
	if (k === 0) return [];
	const prefix = new Float64Array(d + 1);
	for (let i = 0; i < d; i++) prefix[i + 1] = prefix[i]! + groups[i]!.count;
	const ideal = prefix[d]! / k;
	const cost = (from: number, to: number) => (prefix[to]! - prefix[from]! - ideal) ** 2;
	// best[j][i]: least cost of putting the first i groups into j bins; cut[j][i]: where bin j starts.
	let best = new Float64Array(d + 1).fill(Infinity);
	best[0] = 0;
	const cuts: Int32Array[] = [];
	for (let j = 1; j <= k; j++) {
		const next = new Float64Array(d + 1).fill(Infinity);
		const cut = new Int32Array(d + 1);
		// Bin j must leave at least one group for each of the k - j bins after it.
		for (let i = j; i <= d - (k - j); i++) {
			for (let s = j - 1; s < i; s++) {
				const c = best[s]! + cost(s, i);
				if (c < next[i]!) {
					next[i] = c;
					cut[i] = s;
				}
			}
		}
		cuts.push(cut);
		best = next;
	}
	const bins: ValueGroup[] = [];
	let end = d;
	for (let j = k; j >= 1; j--) {
		const start = cuts[j - 1]![end]!;
		bins.unshift({ lo: groups[start]!.lo, hi: groups[end - 1]!.hi, count: prefix[end]! - prefix[start]! });
		end = start;
	}
	return bins;
}

/**
 * Score bands of a metric from its balanced bins (ascending values). Scores run 1..bins from the
 * worst bin, so with fewer distinct values than levels the top scores stay unused (a metric on
 * which every customer is equal scores 1, not 5). Recency is reversed: the bin with the fewest
 * days since the last order gets the highest score.
 */
export function balancedBands(metric: Metric, bins: readonly ValueGroup[]): ScoreBand[] {
	const scores = bins.map((_, i) => i + 1);
	const ascending = metric === 'recency' ? scores.reverse() : scores;
	return bins.map((b, i) => ({ score: ascending[i]!, lower: b.lo, upper: b.hi, upperInclusive: true, customers: b.count }));
}

/** The range a metric's values are placed in when there are fewer distinct values than levels. */
export interface MetricRange {
	/** The worst value possible: recency's longest possible gap, the least orders (1), the least money (0, or less when negative). */
	worst: number;
	/** The best value possible: 0 days for recency, the largest value otherwise. */
	best: number;
}

/**
 * The natural range of a metric given its distinct values (ascending groups). `recencySpan`: days
 * from the first order counted to the analysis date, the longest recency possible (without it, the
 * largest recency seen).
 */
export function metricRange(metric: Metric, groups: readonly ValueGroup[], recencySpan: number | null = null): MetricRange {
	const lo = groups[0]?.lo ?? 0;
	const hi = groups.at(-1)?.hi ?? 0;
	if (metric === 'recency') return { worst: Math.max(recencySpan ?? 0, hi), best: 0 };
	if (metric === 'frequency') return { worst: Math.min(1, lo), best: hi };
	return { worst: Math.min(0, lo), best: hi };
}

/**
 * Score bands for a metric with fewer distinct values (groups) than levels. Ranking them 1, 2, 3
 * left the top scores unused, so on a small store customers who ordered yesterday read as "at risk"
 * (issue 20, finding 4). Instead each value is placed on the whole scale by where it lies between the
 * worst and best possible values, in equal steps (`1 + floor(share × levels)`), and the best value
 * always gets the top score. For two or more groups (one value for everyone scores 1: no information). Equal values still share a score and the
 * scores stay monotone; values falling in the same step share one band.
 */
export function spreadBands(metric: Metric, groups: readonly ValueGroup[], levels: number, range: MetricRange): ScoreBand[] {
	const width = range.best - range.worst;
	const scoreOf = (g: ValueGroup, i: number): number => {
		const isBest = metric === 'recency' ? i === 0 : i === groups.length - 1;
		if (isBest) return levels;
		const share = width === 0 ? 0 : (g.lo - range.worst) / width;
		return Math.min(levels, Math.max(1, 1 + Math.floor(share * levels)));
	};
	const bands: ScoreBand[] = [];
	groups.forEach((g, i) => {
		const score = scoreOf(g, i);
		const last = bands.at(-1);
		if (last && last.score === score) {
			last.upper = g.hi;
			last.customers += g.count;
		} else bands.push({ score, lower: g.lo, upper: g.hi, upperInclusive: true, customers: g.count, spread: true });
	});
	return bands;
}

/**
 * Quantile breaks as the R package `rfm` 0.3.0 computes them (`rfm_prep_bins`): R's default
 * (type 7) quantiles at 1/n … (n-1)/n, plus one. DuckDB's `quantile_cont` is type 7.
 */
export function rQuantilesSql(levels: number, table = CUSTOMER_METRICS): string {
	const probs = Array.from({ length: levels - 1 }, (_, i) => num((i + 1) / levels)).join(', ');
	const q = (metric: Metric) =>
		`SELECT '${metric}' AS metric, list_transform(quantile_cont(${METRIC_COLUMN[metric]}, [${probs}]), x -> CAST(x AS DOUBLE) + 1) AS breaks,
	CAST(min(${METRIC_COLUMN[metric]}) AS DOUBLE) AS min, CAST(max(${METRIC_COLUMN[metric]}) AS DOUBLE) AS max FROM ${table}`;
	return `${q('recency')} UNION ALL ${q('frequency')} UNION ALL ${q('monetary')}`;
}

/**
 * R `rfm`'s half-open bins `[lower, upper)`: lower = (min, breaks…), upper = (breaks…, max + 1).
 * Coinciding breaks leave a bin empty, so its score is skipped, exactly as in R.
 */
export function rBands(metric: Metric, breaks: readonly number[], min: number, max: number): ScoreBand[] {
	const levels = breaks.length + 1;
	const lower = [min, ...breaks];
	const upper = [...breaks, max + 1];
	return lower.map((lo, i) => ({
		score: metric === 'recency' ? levels - i : i + 1,
		lower: lo,
		upper: upper[i]!,
		upperInclusive: false,
		customers: 0
	}));
}

/** A CASE expression giving each value of `column` its score from the bands. */
export function scoreCaseSql(column: string, bands: readonly ScoreBand[]): string {
	if (bands.length === 0) return 'NULL';
	// Everyone shares one value (e.g. all customers ordered once): a constant, as CASE needs a WHEN.
	if (bands.length === 1) return String(bands[0]!.score);
	const sorted = [...bands].sort((a, b) => a.lower - b.lower);
	if (sorted.every((b) => b.upperInclusive)) {
		const whens = sorted.slice(0, -1).map((b) => `WHEN ${column} <= ${num(b.upper)} THEN ${b.score}`);
		return `CASE ${whens.join(' ')} ELSE ${sorted.at(-1)!.score} END`;
	}
	// Half-open bins: a value belongs to the last bin whose lower bound it reaches (empty bins never win).
	const whens = [...sorted]
		.reverse()
		.filter((b) => b.upper > b.lower)
		.map((b) => `WHEN ${column} >= ${num(b.lower)} THEN ${b.score}`);
	return `CASE ${whens.join(' ')} ELSE ${sorted[0]!.score} END`;
}

/**
 * Score bands from the thresholds a merchant typed (`ScoringSettings.fixed`): `levels - 1`
 * ascending inclusive upper bounds. Recency and frequency are whole numbers, so their bands are
 * closed ranges of whole numbers (recency [30, 90] → 0–30, 31–90, 91 and more); monetary bands
 * run from just above the previous threshold (`lowerExclusive`). The lowest band starts at the
 * metric's least possible value (0 days, 1 order, −∞ money), the highest ends at +∞. Recency is
 * reversed: the fewest days get the highest score.
 */
export function fixedBands(metric: Metric, thresholds: readonly number[]): ScoreBand[] {
	const levels = thresholds.length + 1;
	const whole = metric !== 'monetary';
	const first = metric === 'recency' ? 0 : metric === 'frequency' ? 1 : -Infinity;
	return Array.from({ length: levels }, (_, i) => {
		const previous = i === 0 ? null : thresholds[i - 1]!;
		const lower = previous === null ? first : whole ? previous + 1 : previous;
		return {
			score: metric === 'recency' ? levels - i : i + 1,
			lower,
			upper: i < thresholds.length ? thresholds[i]! : Infinity,
			upperInclusive: true,
			...(!whole && previous !== null ? { lowerExclusive: true } : {}),
			customers: 0
		};
	});
}

/** The score levels a scoring may have (the rule presets are written for these scales). */
export const LEVEL_CHOICES: readonly number[] = [3, 4, 5];

const METRIC_NAME: Record<Metric, string> = { recency: 'Recency', frequency: 'Frequency', monetary: 'Monetary' };
const THRESHOLD_UNIT: Record<Metric, string> = { recency: 'days', frequency: 'orders', monetary: 'amounts' };

/** The most months a look-back window may span (100 years). */
export const MAX_LOOK_BACK_MONTHS = 1200;

/**
 * Checks scoring settings, so a bad URL, import or typo fails with a message for the merchant
 * instead of bad SQL or silently wrong scores. Returns null when the settings can be used.
 */
export function validateScoring(settings: ScoringSettings): string | null {
	if (!['balanced', 'fixed', 'r-rfm'].includes(settings.method))
		return 'The scoring method must be balanced, fixed thresholds or R rfm compatible.';
	if (!LEVEL_CHOICES.includes(settings.levels))
		return `Score levels must be ${LEVEL_CHOICES.slice(0, -1).join(', ')} or ${LEVEL_CHOICES.at(-1)}.`;
	if (settings.analysisDate !== null && !isIsoDate(settings.analysisDate)) return 'The analysis date must be a date like 2024-12-31.';
	if (settings.monetary !== 'total' && settings.monetary !== 'average')
		return 'Monetary must be the total revenue or the average order value.';
	const lookBack = validateLookBack(settings.lookBack);
	if (lookBack) return lookBack;
	const { analysisDate } = settings;
	if (
		analysisDate !== null &&
		settings.lookBack.kind === 'range' &&
		settings.lookBack.from !== null &&
		analysisDate < settings.lookBack.from
	)
		return `The analysis date (${analysisDate}) is before the look-back window starts (${settings.lookBack.from}).`;
	if (settings.method === 'fixed') {
		for (const metric of METRICS) {
			const problem = validateFixed(metric, settings.fixed?.[metric], settings.levels);
			if (problem) return problem;
		}
	}
	return null;
}

function validateLookBack(lookBack: ScoringSettings['lookBack']): string | null {
	switch (lookBack?.kind) {
		case 'all':
			return null;
		case 'months':
			return Number.isInteger(lookBack.months) && lookBack.months >= 1 && lookBack.months <= MAX_LOOK_BACK_MONTHS
				? null
				: `The look-back window must be a whole number of months from 1 to ${MAX_LOOK_BACK_MONTHS}.`;
		case 'range': {
			for (const [end, value] of [
				['start', lookBack.from],
				['end', lookBack.to]
			] as const) {
				if (value !== null && !isIsoDate(value)) return `The look-back window's ${end} must be a date like 2024-12-31, or left open.`;
			}
			if (lookBack.from !== null && lookBack.to !== null && lookBack.from > lookBack.to)
				return `The look-back window starts on ${lookBack.from}, after it ends (${lookBack.to}).`;
			return null;
		}
		default:
			return 'The look-back window must be all history, a number of months or a date range.';
	}
}

function validateFixed(metric: Metric, thresholds: readonly number[] | undefined, levels: number): string | null {
	const name = METRIC_NAME[metric];
	const count = levels - 1;
	if (!Array.isArray(thresholds) || thresholds.length !== count)
		return `${name} needs ${count} thresholds for ${levels} score levels${Array.isArray(thresholds) ? ` (it has ${thresholds.length})` : ''}.`;
	for (const [i, t] of thresholds.entries()) {
		if (typeof t !== 'number' || !Number.isFinite(t)) return `${name} threshold ${i + 1} is not a number.`;
		if (metric !== 'monetary' && !Number.isInteger(t))
			return `${name} thresholds must be whole ${THRESHOLD_UNIT[metric]} (threshold ${i + 1} is ${t}).`;
		if (i > 0 && t <= thresholds[i - 1]!)
			return `${name} thresholds must go up: each must be larger than the one before (${thresholds[i - 1]} then ${t}).`;
	}
	if (metric === 'recency' && thresholds[0]! < 0) return `Recency thresholds count days since the last order, so they cannot be negative.`;
	if (metric === 'frequency' && thresholds[0]! < 1) return `Frequency thresholds count orders: the first must be 1 or more.`;
	return null;
}
