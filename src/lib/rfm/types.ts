/** The vocabulary shared by RFM scoring, segments and the views. */

export type Metric = 'recency' | 'frequency' | 'monetary';
export const METRICS: readonly Metric[] = ['recency', 'frequency', 'monetary'];

/**
 * `balanced`: bins as equal in customer count as ties allow, equal values always together.
 * `fixed`: thresholds the merchant types per metric (see `ScoringSettings.fixed`).
 * `r-rfm`: the R package `rfm` 0.3.0's quantile breaks, reproduced exactly.
 */
export type ScoringMethod = 'balanced' | 'fixed' | 'r-rfm';

/** Monetary as the customer's total net revenue, or as their average order value. */
export type MonetaryBasis = 'total' | 'average';

/**
 * Which orders count. `months`: the N months up to the analysis date. `range`: orders dated from
 * `from` to `to` inclusive (either may be null for an open end); without an explicit analysis
 * date, the analysis date becomes the day after `to`.
 */
export type LookBack = { kind: 'all' } | { kind: 'months'; months: number } | { kind: 'range'; from: string | null; to: string | null };

export interface ScoringSettings {
	method: ScoringMethod;
	/** Number of score levels: 3, 4 or 5 (5 → scores 1..5). */
	levels: number;
	/** ISO date; null means the day after the latest order (in the look-back window). */
	analysisDate: string | null;
	lookBack: LookBack;
	monetary: MonetaryBasis;
	/**
	 * For `fixed`: per metric, `levels - 1` ascending inclusive upper bounds of the value bins.
	 * Recency [30, 90, 180, 365] means 0–30 days → 5, 31–90 → 4, 91–180 → 3, 181–365 → 2, more → 1;
	 * frequency [1, 2, 4, 9] means 1 → 1, 2 → 2, 3–4 → 3, 5–9 → 4, 10+ → 5.
	 */
	fixed: Record<Metric, number[]>;
}

/** Fixed thresholds that read well for a typical store, used until the merchant types their own. */
export const DEFAULT_FIXED: Record<Metric, number[]> = {
	recency: [30, 90, 180, 365],
	frequency: [1, 2, 4, 9],
	monetary: [50, 100, 250, 500]
};

export const DEFAULT_SCORING: ScoringSettings = {
	method: 'balanced',
	levels: 5,
	analysisDate: null,
	lookBack: { kind: 'all' },
	monetary: 'total',
	fixed: DEFAULT_FIXED
};

/**
 * One score of one metric: the values it covers and how many customers got it. Balanced bins
 * are closed ranges `[lower, upper]`; R-compatible bins are half-open `[lower, upper)`. Fixed
 * bins are closed ranges of whole numbers for recency and frequency, and `(lower, upper]` for
 * monetary (`lowerExclusive`); their open ends are −∞ (lowest monetary band) and +∞ (highest band).
 */
export interface ScoreBand {
	score: number;
	lower: number;
	upper: number;
	upperInclusive: boolean;
	/** The band starts just above `lower` (fixed monetary thresholds). */
	lowerExclusive?: boolean;
	/**
	 * Balanced scoring of a metric with fewer distinct values than levels: the values were placed on
	 * the whole scale by where they lie in the metric's range (`spreadScores`), not ranked 1, 2, 3….
	 */
	spread?: boolean;
	customers: number;
}

export type Thresholds = Record<Metric, ScoreBand[]>;

/** A segment rule: inclusive score ranges on R, F and M. First matching rule wins. */
export interface SegmentRule {
	name: string;
	recency: [number, number];
	frequency: [number, number];
	monetary: [number, number];
	color: string;
	/** What the segment is, for merchants (one or two sentences, our own words). */
	description: string;
	/** What to do about it. */
	action: string;
	/**
	 * Only customers who engaged (last email click, last visit…) within this many days of the
	 * analysis date match. Needs an engagement column; without one the rule matches nobody.
	 */
	engagedWithinDays?: number | null;
}

/** A rule set is data: presets ship with the app; merchants' own are JSON they can export and import. */
export interface RuleSet {
	id: string;
	name: string;
	/** The score scale the rules are written for (3, 4 or 5). */
	levels: number;
	rules: SegmentRule[];
	/** The segment of customers no rule matches, with its description and action. */
	fallback: string;
	fallbackDescription: string;
	fallbackAction: string;
}
