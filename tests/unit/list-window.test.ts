import { describe, expect, it } from 'vitest';
import { PageCache, pagesFor, scrollTopFor, visibleWindow } from '../../src/lib/state/list-window';

describe('visibleWindow', () => {
	it('draws the rows in the viewport plus overscan when the list fits', () => {
		const w = visibleWindow({ scrollTop: 320, viewport: 320, total: 1000, rowHeight: 32, overscan: 2 });
		expect(w).toEqual({ height: 32_000, first: 8, last: 22, top: 256 });
		expect(visibleWindow({ scrollTop: 0, viewport: 320, total: 0, rowHeight: 32 }).last).toBe(-1);
	});

	it('squeezes a million rows into the height cap and still reaches the first and last row', () => {
		const input = { viewport: 640, total: 1_000_000, rowHeight: 32, overscan: 0, maxHeight: 8_000_000 };
		const start = visibleWindow({ ...input, scrollTop: 0 });
		expect(start).toMatchObject({ height: 8_000_000, first: 0, top: 0 });
		const end = visibleWindow({ ...input, scrollTop: 8_000_000 });
		expect(end.last).toBe(999_999);
		// The last row's bottom meets the viewport's bottom.
		expect(end.top + (end.last - end.first + 1) * 32).toBeCloseTo(8_000_000, 6);
		const middle = visibleWindow({ ...input, scrollTop: scrollTopFor(500_000, input) });
		expect(middle.first).toBe(500_000);
		expect(middle.top).toBeCloseTo(scrollTopFor(500_000, input), 6);
	});

	it('moves row by row: scrolling one row of real height on a squeezed list advances about one row', () => {
		const input = { viewport: 640, total: 1_000_000, rowHeight: 32, overscan: 0 };
		const a = scrollTopFor(1234, input);
		const b = scrollTopFor(1235, input);
		expect(visibleWindow({ ...input, scrollTop: b }).first - visibleWindow({ ...input, scrollTop: a }).first).toBe(1);
	});
});

describe('pages', () => {
	it('lists the pages of a row range', () => {
		expect(pagesFor(95, 205, 100)).toEqual([0, 1, 2]);
		expect(pagesFor(5, 4, 100)).toEqual([]);
	});

	it('keeps the most recently used pages', () => {
		const cache = new PageCache<number>(10, 2);
		cache.set(0, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
		cache.set(1, [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
		expect(cache.row(3)).toBe(3);
		cache.set(2, [20]);
		expect(cache.has(1)).toBe(false);
		expect(cache.row(3)).toBe(3);
		expect(cache.row(20)).toBe(20);
		expect(cache.row(15)).toBeUndefined();
		expect(cache.pages().sort()).toEqual([0, 2]);
	});
});
