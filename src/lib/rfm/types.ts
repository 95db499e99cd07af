/** The vocabulary shared by RFM scoring, segments and the views. */

export type Metric = 'recency' | 'frequency' | 'monetary';
export const METRICS: readonly Metric[] = ['recency', 'frequency', 'monetary'];

/**
 * `balanced`: bins as equal in customer count as ties allow, equal values always together.
 * `r-rfm`: the R package `rfm` 0.3.0's quantile breaks, reproduced exactly.
 */
export type ScoringMethod = 'balanced' | 'r-rfm';

export interface ScoringSettings {
	method: ScoringMethod;
	/** Number of score levels (5 → scores 1..5). */
	levels: number;
	/** ISO date; null means the day after the latest order. */
	analysisDate: string | null;
}

export const DEFAULT_SCORING: ScoringSettings = { method: 'balanced', levels: 5, analysisDate: null };

/**
 * One score of one metric: the values it covers and how many customers got it. Balanced bins
 * are closed ranges `[lower, upper]`; R-compatible bins are half-open `[lower, upper)`.
 */
export interface ScoreBand {
	score: number;
	lower: number;
	upper: number;
	upperInclusive: boolean;
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
}

export interface RuleSet {
	id: string;
	name: string;
	rules: SegmentRule[];
	/** The segment of customers no rule matches. */
	fallback: string;
}
