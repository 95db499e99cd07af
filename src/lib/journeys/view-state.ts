/**
 * The repeat-purchase view's state: which question, and its choices. One small plain object (no
 * customer data) kept in the link under `j`, like History's; anything unreadable in a link falls
 * back to the defaults.
 */
import { COHORT_KINDS, type CohortKind } from './cohort-value';
import { FIRST_ORDER_DIMENSIONS, type FirstOrderDimension } from './first-order';
import { ITEM_LEVELS, type ItemLevel } from './journey-orders';

export type JourneyQuestion = 'next' | 'first' | 'gaps' | 'cohorts' | 'discounts';
export const JOURNEY_QUESTIONS: readonly JourneyQuestion[] = ['next', 'first', 'gaps', 'cohorts', 'discounts'];

/** The questions as the view's navigation names them. */
export const JOURNEY_QUESTION_NAMES: Record<JourneyQuestion, string> = {
	next: 'What they buy next',
	first: 'First orders',
	gaps: 'Time between orders',
	cohorts: 'Cohort value',
	discounts: 'Discounts'
};

export interface JourneysViewState {
	question: JourneyQuestion;
	/** Items named by product, SKU or category; null: the first the file has. */
	level: ItemLevel | null;
	dimension: FirstOrderDimension;
	cohortKind: CohortKind;
}

export const DEFAULT_JOURNEYS_VIEW: JourneysViewState = { question: 'next', level: null, dimension: 'item', cohortKind: 'quarter' };

/** A view state from untrusted input: each field that is not valid falls back to its default. */
export function readJourneysViewState(input: unknown): JourneysViewState {
	const o = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
	const pick = <T>(values: readonly T[], v: unknown, fallback: T) => (values.includes(v as T) ? (v as T) : fallback);
	return {
		question: pick(JOURNEY_QUESTIONS, o.question, DEFAULT_JOURNEYS_VIEW.question),
		level: pick(ITEM_LEVELS, o.level, null),
		dimension: pick(FIRST_ORDER_DIMENSIONS, o.dimension, DEFAULT_JOURNEYS_VIEW.dimension),
		cohortKind: pick(COHORT_KINDS, o.cohortKind, DEFAULT_JOURNEYS_VIEW.cohortKind)
	};
}

/** The state as a link value: only what differs from the defaults (null when nothing does). */
export function encodeJourneysViewState(state: JourneysViewState): string | null {
	const changed = Object.fromEntries(Object.entries(state).filter(([k, v]) => v !== DEFAULT_JOURNEYS_VIEW[k as keyof JourneysViewState]));
	return Object.keys(changed).length === 0 ? null : JSON.stringify(changed);
}

/** Reads `encodeJourneysViewState`'s value; anything unreadable gives the defaults. */
export function decodeJourneysViewState(value: string | null): JourneysViewState {
	if (!value) return { ...DEFAULT_JOURNEYS_VIEW };
	try {
		return readJourneysViewState(JSON.parse(value));
	} catch {
		return { ...DEFAULT_JOURNEYS_VIEW };
	}
}
