/**
 * What the History benchmark's engines must agree on, flattened to `key → value` so that any two
 * results (wasm-node, native, the browser's page) compare the same way as the matrix suite's:
 * every key on either side, numbers within a relative 1e-9 (engines may add doubles in another
 * order), and a key one side lacks is a difference, never skipped.
 */
import type { CohortResult } from '../../src/lib/history/cohorts';
import type { MigrationResult } from '../../src/lib/history/migration';
import type { OverTimeResult } from '../../src/lib/history/over-time';
import { stateName } from '../../src/lib/history/as-of';
import type { ResultSummary } from './pipeline';

export type HistoryFigures = Map<string, number | string>;

/** The drop-to-matrix result, the monthly snapshots, the migration's flows and the cohorts as figures. */
export function historyFigures(
	load: ResultSummary,
	overTime: OverTimeResult,
	migration: MigrationResult,
	cohorts: CohortResult
): HistoryFigures {
	const out: HistoryFigures = new Map();
	for (const [key, cell] of Object.entries(load.matrix)) {
		// The page draws empty cells without data: an empty cell is no figure on either side.
		if (cell.customers === 0) continue;
		out.set(`matrix R${key.replace(':', ' F')} customers`, cell.customers);
		out.set(`matrix R${key.replace(':', ' F')} revenue`, cell.revenue);
	}
	out.set('periods', overTime.periods.length);
	for (const p of overTime.periods) {
		out.set(`${p.label} customers`, p.customers);
		for (const s of p.segments) {
			out.set(`${p.label} ${s.segment} customers`, s.customers);
			out.set(`${p.label} ${s.segment} revenue`, s.revenue);
		}
	}
	for (const f of migration.flows) {
		const flow = `migration ${stateName(f.from)} → ${stateName(f.to)}`;
		out.set(`${flow} customers`, f.customers);
		out.set(`${flow} revenue`, f.revenue);
		out.set(`${flow} orders`, f.orders);
	}
	for (const c of cohorts.cohorts) {
		out.set(`cohort ${c.cohort} customers`, c.customers);
		out.set(`cohort ${c.cohort} revenue`, c.revenue);
		for (const p of c.periods) {
			out.set(`cohort ${c.cohort} +${p.index} active`, p.active);
			out.set(`cohort ${c.cohort} +${p.index} revenue`, p.revenue);
			out.set(`cohort ${c.cohort} +${p.index} orders`, p.orders);
		}
	}
	return out;
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

/**
 * Differences between two sets of figures (empty when they agree). `only` limits the comparison to
 * the keys it accepts, for a result that measures less (the browser's page shows the matrix, the
 * number of periods and the migration's customers); those keys must then be on both sides.
 */
export function compareFigures(a: HistoryFigures, b: HistoryFigures, only?: (key: string) => boolean): string[] {
	const diffs: string[] = [];
	const keys = [...new Set([...a.keys(), ...b.keys()])].filter((k) => !only || only(k)).sort();
	for (const key of keys) {
		const x = a.get(key);
		const y = b.get(key);
		if (x === undefined || y === undefined) diffs.push(`${key}: ${x ?? 'missing'} vs ${y ?? 'missing'}`);
		else if (typeof x === 'number' && typeof y === 'number' ? !close(x, y) : x !== y) diffs.push(`${key}: ${x} vs ${y}`);
	}
	return diffs;
}

/** The figures the browser's page shows as data (matrix cells, the number of snapshots, the migration's customers per flow). */
export const BROWSER_FIGURE = (key: string): boolean =>
	key.startsWith('matrix ') || key === 'periods' || (key.startsWith('migration ') && key.endsWith(' customers'));
