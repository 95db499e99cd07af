/** The builder's rune class over a hand-made fake engine and an in-memory segment store. */
import { describe, expect, it, vi } from 'vitest';
import { COUNT_DEBOUNCE_MS, SegmentBuilder } from '../../src/lib/state/builder.svelte';
import { callsOver } from '../support/engine-calls';
import type { EngineApi, SegmentCounts, SegmentDefinition } from '../../src/lib/engine/api';
import type { SavedSegment } from '../../src/lib/builder/definition';
import type { SegmentStore } from '../../src/lib/builder/segment-store';

function memoryStore(): SegmentStore {
	const map = new Map<string, SavedSegment>();
	return {
		list: async () => [...map.values()].sort((a, b) => a.name.localeCompare(b.name)),
		save: async (s) => void map.set(s.name, structuredClone(s)),
		remove: async (name) => void map.delete(name)
	};
}

/** Counts a definition as "customers = number of conditions × 10", after `delay` ms. */
function fakeApi(delays: number[] = []) {
	const calls: SegmentDefinition[][] = [];
	let cancelNext = false;
	const api = {
		builderFields: async () => ({ available: [], values: {}, contacts: { email: false, phone: false }, categories: [] }),
		builderCount: async (defs: SegmentDefinition[]) => {
			calls.push(defs);
			await new Promise((r) => setTimeout(r, delays.shift() ?? 0));
			if (cancelNext) {
				cancelNext = false;
				throw Object.assign(new Error('cancelled'), { name: 'CancelledError' });
			}
			return defs.map((d): SegmentCounts => {
				const n = d.groups.reduce((s, g) => s + g.conditions.length, 0) * 10;
				return { customers: n, orders: 2 * n, revenue: 100 * n, aov: 50 };
			});
		}
	};
	return { api: api as unknown as Partial<EngineApi>, calls, cancelOnce: () => (cancelNext = true) };
}

describe('SegmentBuilder', () => {
	it('counts once after a burst of edits, and a slow stale answer never overwrites a newer one', async () => {
		vi.useFakeTimers();
		try {
			const fake = fakeApi([500, 0]);
			const builder = new SegmentBuilder(callsOver(fake.api), memoryStore());
			builder.addCondition(0);
			builder.scheduleCount();
			await vi.advanceTimersByTimeAsync(COUNT_DEBOUNCE_MS - 1);
			expect(fake.calls).toHaveLength(0);
			builder.addCondition(0);
			builder.scheduleCount();
			await vi.advanceTimersByTimeAsync(COUNT_DEBOUNCE_MS);
			expect(fake.calls).toHaveLength(1);
			// While that (slow) count runs, another edit: its quick answer lands first, the slow one is ignored.
			builder.addCondition(0);
			builder.scheduleCount();
			await vi.advanceTimersByTimeAsync(COUNT_DEBOUNCE_MS);
			await vi.advanceTimersByTimeAsync(600);
			expect(fake.calls).toHaveLength(2);
			expect(builder.counts).toEqual({ customers: 30, orders: 60, revenue: 3000, aov: 50 });
			expect(builder.counting).toBe(false);
		} finally {
			vi.useRealTimers();
		}
	});

	it('counts only complete conditions, and counts again when a page step cancelled its count', async () => {
		vi.useFakeTimers();
		try {
			const fake = fakeApi();
			const builder = new SegmentBuilder(callsOver(fake.api), memoryStore());
			builder.addCondition(0);
			builder.addCondition(0, 'city');
			fake.cancelOnce();
			const first = builder.recount();
			await vi.advanceTimersByTimeAsync(1);
			await first;
			expect(builder.problem).toBeNull();
			await vi.advanceTimersByTimeAsync(COUNT_DEBOUNCE_MS + 1);
			expect(fake.calls.map((c) => c[0]!.groups[0]!.conditions.map((x) => x.field))).toEqual([['orders'], ['orders']]);
			expect(builder.counts?.customers).toBe(10);
		} finally {
			vi.useRealTimers();
		}
	});

	it('saves, lists with counts, imports (all or nothing) and deletes', async () => {
		const fake = fakeApi();
		const builder = new SegmentBuilder(callsOver(fake.api), memoryStore());
		await builder.save();
		expect(builder.problem).toBe('Give the segment a name to save it.');
		builder.addCondition(0);
		builder.name = '  Repeat buyers ';
		await builder.save();
		expect(builder.notice).toBe('Saved “Repeat buyers”.');
		expect(builder.saved.map((s) => [s.segment.name, s.counts?.customers])).toEqual([['Repeat buyers', 10]]);

		await builder.importJson('{"format": "rfm-studio-segments", "segments": [{"name": "", "definition": {}}]}');
		expect(builder.problem).toMatch(/^The segments file was not imported\. Segment 1 has no name\./);
		expect(builder.saved).toHaveLength(1);

		const json = builder.exportJson().replace('Repeat buyers', 'Copy');
		await builder.importJson(json);
		expect(builder.notice).toBe('Imported 1 segment.');
		expect(builder.saved.map((s) => s.segment.name)).toEqual(['Copy', 'Repeat buyers']);
		await builder.remove('Copy');
		expect(builder.saved.map((s) => s.segment.name)).toEqual(['Repeat buyers']);
	});
});
