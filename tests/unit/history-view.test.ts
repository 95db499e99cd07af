/** The History tab's plain view state (read from untrusted input such as a URL) and the saved segments store. */
import { describe, expect, it } from 'vitest';
import {
	DEFAULT_HISTORY_VIEW,
	decodeHistoryViewState,
	encodeHistoryViewState,
	readHistoryViewState
} from '../../src/lib/history/view-state';
import { createSavedSegmentStore, type SegmentStorage } from '../../src/lib/state/saved-segments';
import { periodLabel, periodsBetween } from '../../src/lib/history/periods';
import type { CustomerSelection } from '../../src/lib/rfm/customer-list';

describe('history view state', () => {
	it('keeps valid fields and puts defaults in place of the rest', () => {
		expect(readHistoryViewState(undefined)).toEqual(DEFAULT_HISTORY_VIEW);
		expect(
			readHistoryViewState({
				from: '2024-01-31',
				to: '2024-02-30',
				grain: 'quarter',
				measure: 'revenue',
				cohortGrain: 'year',
				compare: ['2023-01-01', '2024-01-01']
			})
		).toEqual({
			from: '2024-01-31',
			to: null,
			grain: 'quarter',
			measure: 'revenue',
			cohortGrain: 'month',
			compare: ['2023-01-01', '2024-01-01']
		});
		expect(readHistoryViewState({ grain: 'day', measure: 'orders', compare: ['2023-01-01'] })).toEqual(DEFAULT_HISTORY_VIEW);
		// A plain object that survives JSON (the URL helper serialises it).
		expect(JSON.parse(JSON.stringify(DEFAULT_HISTORY_VIEW))).toEqual(DEFAULT_HISTORY_VIEW);
	});
});

describe('periods', () => {
	it('labels and counts weeks, months and quarters', () => {
		expect(periodLabel('2024-03-04', 'week')).toBe('Week of 4 Mar 2024');
		expect(periodLabel('2024-10-01', 'quarter')).toBe('2024 Q4');
		expect(periodsBetween('2023-11-01', '2024-02-01', 'month')).toBe(3);
		expect(periodsBetween('2023-10-01', '2024-04-01', 'quarter')).toBe(2);
		expect(periodsBetween('2024-03-04', '2024-03-25', 'week')).toBe(3);
	});
});

describe('saved segments', () => {
	const memory = (): SegmentStorage & { data: Map<string, string> } => {
		const data = new Map<string, string>();
		return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
	};
	const flow: CustomerSelection = {
		kind: 'migration',
		from: '2024-01-01',
		to: '2024-04-01',
		was: { kind: 'segment', segment: 'Champions' },
		now: { kind: 'segment', segment: 'At Risk' }
	};

	it('keeps the definition under its name, never customer data, and replaces a segment of the same name', () => {
		const storage = memory();
		const store = createSavedSegmentStore(storage);
		expect(store.save('  were Champions, now At Risk ', flow)).toBeNull();
		expect(store.save('were Champions, now At Risk', { ...flow, to: '2024-05-01' })).toBeNull();
		const [saved, ...rest] = store.list();
		expect(rest).toEqual([]);
		expect(saved).toMatchObject({ name: 'were Champions, now At Risk', selection: { ...flow, to: '2024-05-01' } });
		store.delete(saved!.id);
		expect(store.list()).toEqual([]);
	});

	it('says why it cannot save', () => {
		expect(createSavedSegmentStore(memory()).save(' ', flow)).toBe('Give the segment a name.');
		expect(createSavedSegmentStore(null).save('x', flow)).toBe('This browser does not let the page keep saved segments.');
		const broken = memory();
		broken.data.set('rfm-studio.saved-segments', '{not json');
		expect(createSavedSegmentStore(broken).list()).toEqual([]);
	});
});

describe('history view state in links', () => {
	it('writes only what differs from the defaults, and reads it back', () => {
		expect(encodeHistoryViewState(DEFAULT_HISTORY_VIEW)).toBeNull();
		const state = {
			...DEFAULT_HISTORY_VIEW,
			from: '2024-01-01',
			grain: 'quarter' as const,
			compare: ['2023-01-01', '2024-01-01'] as [string, string]
		};
		const value = encodeHistoryViewState(state)!;
		expect(JSON.parse(value)).toEqual({ from: '2024-01-01', grain: 'quarter', compare: ['2023-01-01', '2024-01-01'] });
		expect(decodeHistoryViewState(value)).toEqual(state);
		expect(decodeHistoryViewState('{not json')).toEqual(DEFAULT_HISTORY_VIEW);
		expect(decodeHistoryViewState(null)).toEqual(DEFAULT_HISTORY_VIEW);
	});
});
