/**
 * Migration between two dates: every customer's state on the earlier date and on the later one
 * (a segment, "not yet customers", or outside the look-back window), with their revenue between
 * the two dates. Customers whose first order comes after the later date play no part.
 */
import { date, str } from '../sql';
import { isIsoDate } from '../dates';
import type { SqlRunner } from '../db/runner';
import type { RuleSet, ScoringSettings } from '../rfm/types';
import { segmentInfo } from '../rfm/segments';
import { asOfTables, scoreAsOf, stateKey, type HistoryState } from './as-of';
import { HISTORY_MIGRATION } from '../db/tables';

export interface MigrationFlow {
	from: HistoryState;
	to: HistoryState;
	customers: number;
	/** Revenue of these customers' orders after the earlier date, up to and including the later one. */
	revenue: number;
	orders: number;
}

export interface MigrationResult {
	from: string;
	to: string;
	/** Every state, in display order: the rule set's segments, then outside the window, then not yet customers. */
	states: HistoryState[];
	flows: MigrationFlow[];
	/** Customers with a first order on or before the later date. */
	customers: number;
}

/** A reason the two dates cannot be compared, for the merchant; null when they can. */
export function validateMigrationDates(from: string, to: string): string | null {
	if (!isIsoDate(from) || !isIsoDate(to)) return 'Both dates must be dates like 2024-12-31.';
	if (from >= to) return `The first date (${from}) must come before the second (${to}).`;
	return null;
}

const FROM = asOfTables('history_from');
const TO = asOfTables('history_to');

/** The state columns of one side: `kind` and `segment` from its scores, or why it has none. */
function sideSql(alias: string, asOf: string, side: 'from' | 'to'): string {
	return `CASE WHEN ${alias}.customer_id IS NOT NULL THEN 'segment' WHEN e.first_order <= ${date(asOf)} THEN 'outside' ELSE 'not-yet' END AS ${side}_kind,
	${alias}.segment AS ${side}_segment`;
}

/** Creates `history_migration` from the two as-of scorings (`history_from_scores`, `history_to_scores`). */
export function migrationTableSql(from: string, to: string): string {
	return `CREATE OR REPLACE TABLE ${HISTORY_MIGRATION} AS
WITH everyone AS (SELECT customer_id, min(ordered_at) AS first_order FROM orders GROUP BY customer_id HAVING min(ordered_at) <= ${date(to)}),
later AS (
	-- Revenue between the dates net of that period's returns and cancellations, as on every other view.
	SELECT customer_id, sum(amount) AS revenue, CAST(sum(is_order) AS BIGINT) AS orders FROM (
		SELECT customer_id, amount, 1 AS is_order FROM orders WHERE ordered_at > ${date(from)} AND ordered_at <= ${date(to)}
		UNION ALL
		SELECT customer_id, amount, 0 AS is_order FROM returns WHERE returned_at > ${date(from)} AND returned_at <= ${date(to)}
	) GROUP BY customer_id
)
SELECT e.customer_id,
	${sideSql('a', from, 'from')},
	${sideSql('b', to, 'to')},
	CAST(coalesce(l.revenue, 0) AS DOUBLE) AS later_revenue, CAST(coalesce(l.orders, 0) AS DOUBLE) AS later_orders
FROM everyone e
LEFT JOIN ${FROM.scores} a ON a.customer_id = e.customer_id
LEFT JOIN ${TO.scores} b ON b.customer_id = e.customer_id
LEFT JOIN later l ON l.customer_id = e.customer_id`;
}

/** The flows: customers, revenue and orders per (from state, to state). */
export const MIGRATION_FLOWS_SQL = `SELECT from_kind, from_segment, to_kind, to_segment, CAST(count(*) AS DOUBLE) AS customers,
	CAST(sum(later_revenue) AS DOUBLE) AS revenue, CAST(sum(later_orders) AS DOUBLE) AS orders
FROM ${HISTORY_MIGRATION} GROUP BY ALL`;

/** The condition on `history_migration` picking one side's state. */
export function stateConditionSql(side: 'from' | 'to', state: HistoryState): string {
	const kind = `${side}_kind = ${str(state.kind)}`;
	return state.kind === 'segment' ? `${kind} AND ${side}_segment = ${str(state.segment)}` : kind;
}

type Kind = HistoryState['kind'];
function toState(kind: Kind, segment: string | null): HistoryState {
	return kind === 'segment' ? { kind, segment: segment ?? '' } : { kind };
}

/** The states in display order: the rule set's segments (those that occur), outside, not yet. */
export function orderStates(ruleSet: RuleSet, present: readonly HistoryState[]): HistoryState[] {
	const keys = new Set(present.map(stateKey));
	const ordered: HistoryState[] = segmentInfo(ruleSet).map((s) => ({ kind: 'segment', segment: s.segment }));
	// Segments no longer in the rule set cannot occur (both sides are scored with it), but keep any, last.
	for (const s of present) if (s.kind === 'segment' && !ordered.some((o) => stateKey(o) === stateKey(s))) ordered.push(s);
	ordered.push({ kind: 'outside' }, { kind: 'not-yet' });
	return ordered.filter((s) => keys.has(stateKey(s)));
}

/**
 * Scores as of both dates and builds `history_migration`; returns the flows. The page's own
 * tables are untouched.
 */
export async function computeMigration(
	db: SqlRunner,
	settings: ScoringSettings,
	ruleSet: RuleSet,
	from: string,
	to: string
): Promise<MigrationResult> {
	const problem = validateMigrationDates(from, to);
	if (problem) throw new Error(problem);
	await scoreAsOf(db, settings, ruleSet, from, FROM);
	await scoreAsOf(db, settings, ruleSet, to, TO);
	await db.run(migrationTableSql(from, to));
	const rows = await db.rows<{
		from_kind: Kind;
		from_segment: string | null;
		to_kind: Kind;
		to_segment: string | null;
		customers: number;
		revenue: number;
		orders: number;
	}>(MIGRATION_FLOWS_SQL);
	const flows = rows.map((r) => ({
		from: toState(r.from_kind, r.from_segment),
		to: toState(r.to_kind, r.to_segment),
		customers: r.customers,
		revenue: r.revenue,
		orders: r.orders
	}));
	const states = orderStates(
		ruleSet,
		flows.flatMap((f) => [f.from, f.to])
	);
	const rank = new Map(states.map((s, i) => [stateKey(s), i]));
	flows.sort((a, b) => rank.get(stateKey(a.from))! - rank.get(stateKey(b.from))! || rank.get(stateKey(a.to))! - rank.get(stateKey(b.to))!);
	return { from, to, states, flows, customers: flows.reduce((s, f) => s + f.customers, 0) };
}

/** Customers per state on one side (the column or row totals of the transition matrix). */
export function totalsBy(result: MigrationResult, side: 'from' | 'to'): Map<string, number> {
	const out = new Map<string, number>();
	for (const f of result.flows) out.set(stateKey(f[side]), (out.get(stateKey(f[side])) ?? 0) + f.customers);
	return out;
}
