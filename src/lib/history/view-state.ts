/**
 * The History tab's view state: one small plain object (no customer data), so it can live in the
 * URL like the other views' state. `readHistoryViewState` accepts anything (a hand-edited link)
 * and keeps only the fields that make sense.
 */
import { isIsoDate } from '../dates';
import { COHORT_GRAINS, type CohortGrain } from './cohorts';
import { GRAINS, type Grain } from './periods';

export type SizeMeasure = 'customers' | 'revenue';

export interface HistoryViewState {
	/** The migration's earlier date; null: 90 days before the analysis date. */
	from: string | null;
	/** The migration's later date; null: the analysis date. */
	to: string | null;
	/** Segment sizes over time: one snapshot per week, month or quarter. */
	grain: Grain;
	measure: SizeMeasure;
	cohortGrain: CohortGrain;
	/** The two cohorts compared (the first days of their periods); null: the default pair. */
	compare: [string, string] | null;
}

export const DEFAULT_HISTORY_VIEW: HistoryViewState = {
	from: null,
	to: null,
	grain: 'month',
	measure: 'customers',
	cohortGrain: 'month',
	compare: null
};

/** Days between the default migration dates. */
export const DEFAULT_MIGRATION_DAYS = 90;

/** A view state from untrusted input: each field that is not valid falls back to its default. */
export function readHistoryViewState(input: unknown): HistoryViewState {
	const o = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
	const dateOrNull = (v: unknown) => (isIsoDate(v) ? v : null);
	const compare = Array.isArray(o.compare) && o.compare.length === 2 && o.compare.every(isIsoDate) ? (o.compare as [string, string]) : null;
	return {
		from: dateOrNull(o.from),
		to: dateOrNull(o.to),
		grain: GRAINS.includes(o.grain as Grain) ? (o.grain as Grain) : DEFAULT_HISTORY_VIEW.grain,
		measure: o.measure === 'revenue' ? 'revenue' : 'customers',
		cohortGrain: COHORT_GRAINS.includes(o.cohortGrain as CohortGrain) ? (o.cohortGrain as CohortGrain) : DEFAULT_HISTORY_VIEW.cohortGrain,
		compare
	};
}

/**
 * The view state as a link value: only the choices that differ from the defaults, as compact JSON
 * (null when everything is default, so plain links stay short). Dates and grains only: no customer data.
 */
export function encodeHistoryViewState(state: HistoryViewState): string | null {
	const changed = Object.fromEntries(
		Object.entries(state).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(DEFAULT_HISTORY_VIEW[k as keyof HistoryViewState]))
	);
	return Object.keys(changed).length === 0 ? null : JSON.stringify(changed);
}

/** Reads a link value written by `encodeHistoryViewState`; anything unreadable gives the defaults. */
export function decodeHistoryViewState(value: string | null): HistoryViewState {
	if (!value) return structuredClone(DEFAULT_HISTORY_VIEW);
	try {
		return readHistoryViewState(JSON.parse(value));
	} catch {
		return structuredClone(DEFAULT_HISTORY_VIEW);
	}
}
