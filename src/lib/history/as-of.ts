/**
 * RFM as of a past date: the page's scoring (same settings, same rules, same SQL from src/lib/rfm)
 * with the analysis date moved to that date, so only the orders up to it count. It writes its own
 * tables (`ScoringTables`), so the page's `customer_scores` is never touched.
 */
import { scoreInto, windowFor, type ScoredInto, type ScoringTables } from '../rfm/analysis';
import type { SqlRunner } from '../db/runner';
import { ORDERS } from '../db/tables';
import type { RuleSet, ScoringSettings } from '../rfm/types';

/** Where a customer stands on a date: in a segment, not a customer yet, or only outside the look-back window. */
export type HistoryState = { kind: 'segment'; segment: string } | { kind: 'not-yet' } | { kind: 'outside' };

/** A stable text key for a state (`segment:Champions`, `not-yet`, `outside`). */
export function stateKey(state: HistoryState): string {
	return state.kind === 'segment' ? `segment:${state.segment}` : state.kind;
}

/** The state's name on screen. */
export function stateName(state: HistoryState): string {
	switch (state.kind) {
		case 'segment':
			return state.segment;
		case 'not-yet':
			return 'Not yet customers';
		case 'outside':
			return 'Outside the look-back window';
	}
}

/** The tables of one as-of scoring, all prefixed with `prefix` (e.g. `history_from`). */
export function asOfTables(prefix: string): ScoringTables {
	return {
		orders: ORDERS,
		window: `${prefix}_window`,
		returns: `${prefix}_returns`,
		metrics: `${prefix}_metrics`,
		scores: `${prefix}_scores`
	};
}

/**
 * Scores customers as of `asOf`: the settings with `analysisDate = asOf` (the look-back window
 * moves with it), the rules unchanged. Fills `tables.scores` with the page's columns (r, f, m,
 * segment…) for every customer the window counts; returns the thresholds used. A date before any
 * order scores nobody (an empty table).
 */
export function scoreAsOf(
	db: SqlRunner,
	settings: ScoringSettings,
	ruleSet: RuleSet,
	asOf: string,
	tables: ScoringTables
): Promise<ScoredInto> {
	return scoreInto(db, tables, windowFor(settings.lookBack, asOf), { ...settings, analysisDate: asOf }, ruleSet, { allowEmpty: true });
}
