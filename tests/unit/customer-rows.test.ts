/** The customer list's rows (a rune class) over a fake engine: what a refresh keeps and what it reads again. */
import { describe, expect, it, vi } from 'vitest';
import { CustomerRows, LIST_PAGE } from '../../src/lib/state/explore.svelte';
import type { CustomerWindow, EngineApi } from '../../src/lib/engine/api';
import { callsOver } from '../support/engine-calls';
import type { ExploreRow } from '../../src/lib/rfm/explore';

/** 250 customers; once `predicted`, each row carries a chance of being active. */
function fakeApi() {
	const state = { predicted: false, requests: [] as number[] };
	const api = {
		customerWindow: async (_query: unknown, offset: number, limit: number): Promise<CustomerWindow> => {
			state.requests.push(offset);
			await new Promise((r) => setTimeout(r, 5));
			const rows = Array.from({ length: Math.max(0, Math.min(limit, 250 - offset)) }, (_, i) => {
				const row = { customer_id: `C${offset + i}` } as ExploreRow;
				if (state.predicted) row.p_alive = 0.5;
				return row;
			});
			return {
				total: 250,
				offset,
				rows,
				hasName: false,
				hasEmail: false,
				predictions: state.predicted ? { horizons: [30], valueHorizon: 365, showValue: true } : null
			};
		}
	};
	return { state, api: api as Partial<EngineApi> };
}

describe('CustomerRows', () => {
	it('keeps the rows in view while a refresh reads them again with the new predictions', async () => {
		const { state, api } = fakeApi();
		const rows = new CustomerRows(callsOver(api));
		rows.reset({ selection: { kind: 'all' }, sort: { by: 'revenue', descending: true }, search: '' });
		rows.want(120, 140);
		await vi.waitFor(() => expect(rows.row(130)?.customer_id).toBe('C130'));
		expect(rows.predictions).toBeNull();
		expect(rows.row(130)?.p_alive).toBeUndefined();

		state.predicted = true;
		state.requests.length = 0;
		rows.refresh();
		// Nothing blanks meanwhile: the total and the rows on screen stay.
		expect(rows.total).toBe(250);
		expect(rows.row(130)?.customer_id).toBe('C130');
		await vi.waitFor(() => expect(rows.row(130)?.p_alive).toBe(0.5));
		expect(rows.predictions).toEqual({ horizons: [30], valueHorizon: 365, showValue: true });
		// The page in view first, then its neighbours.
		expect(state.requests[0]).toBe(LIST_PAGE);
	});
});

describe('CustomerRows and the list heading', () => {
	it('counts the selection from the rows’ own answers: a search keeps the count, another selection or scoring clears it', async () => {
		const { api } = fakeApi();
		const rows = new CustomerRows(callsOver(api));
		const scoring = {};
		const all = { selection: { kind: 'all' as const }, sort: { by: 'revenue' as const, descending: true }, search: '' };
		expect(rows.loading).toBe(false);
		rows.reset(all, scoring);
		expect(rows.loading).toBe(true);
		await vi.waitFor(() => expect(rows.selectionTotal).toBe(250));
		expect(rows.loading).toBe(false);
		rows.reset({ ...all, search: 'C1' }, scoring);
		expect(rows.selectionTotal).toBe(250);
		rows.reset({ ...all, selection: { kind: 'segment', segment: 'Champions' } }, scoring);
		expect(rows.selectionTotal).toBeNull();
		await vi.waitFor(() => expect(rows.selectionTotal).toBe(250));
		rows.reset({ ...all, selection: { kind: 'segment', segment: 'Champions' } }, {});
		expect(rows.selectionTotal).toBeNull();
	});
});
