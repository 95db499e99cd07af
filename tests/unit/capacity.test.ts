/**
 * How large a file the browser can analyse: the row estimate from a file's start, DuckDB's memory
 * limit as bytes, the number of grouping passes, and the message for a file beyond the limit.
 */
import { describe, expect, it } from 'vitest';
import {
	capacityRows,
	estimateRows,
	groupingBytesPerOrder,
	orderPasses,
	ordersPerRow,
	parseMemoryLimit,
	tooLargeMessage
} from '../../src/lib/ingest/capacity';

const GiB = 2 ** 30;

describe('capacity', () => {
	it('estimates rows from the lines at the start of a file', () => {
		const line = '#1001,C294813,2022-01-02,16.09\n';
		const head = `order_id,customer_id,order_date,amount\n${line.repeat(2000)}#10`;
		// 200 MB of such lines: about 200e6 / 32 bytes a line.
		// The header is longer than a row: within 5 %.
		expect(Math.abs(estimateRows(200e6, head) / (200e6 / line.length) - 1)).toBeLessThan(0.05);
		// A small file that is all head: its own lines.
		expect(estimateRows(new TextEncoder().encode('a,b\n1,2\n3,4\n').length, 'a,b\n1,2\n3,4\n')).toBe(3);
		expect(estimateRows(0, '')).toBe(0);
	});

	it("reads DuckDB's memory limit as bytes", () => {
		expect(parseMemoryLimit('3.1 GiB')).toBeCloseTo(3.1 * GiB, -3);
		expect(parseMemoryLimit('64.0 MiB')).toBe(64 * 2 ** 20);
		expect(parseMemoryLimit('500 MB')).toBe(500e6);
		expect(parseMemoryLimit('1024 bytes')).toBe(1024);
		expect(parseMemoryLimit('lots')).toBeNull();
	});

	it('fits 20 million rows in a browser tab, not 200 million, and little in 64 MB', () => {
		expect(capacityRows(3.1 * GiB)).toBeGreaterThan(20e6);
		expect(capacityRows(3.1 * GiB)).toBeLessThan(60e6);
		expect(capacityRows(64 * 2 ** 20)).toBeGreaterThan(10_000);
		expect(capacityRows(64 * 2 ** 20)).toBeLessThan(1e6);
	});

	it('groups up to about 9 million orders in one pass, more in several', () => {
		expect(orderPasses(0)).toBe(1);
		expect(orderPasses(5e6)).toBe(1);
		expect(orderPasses(20e6)).toBe(3);
		expect(orderPasses(2e6, 600e6)).toBe(2);
		// A 20M-line Shopify-style export: a third as many orders, but 13 text fields kept per order.
		expect(groupingBytesPerOrder(13)).toBe(738);
		expect(orderPasses(20e6 / 3, 3.1 * GiB, groupingBytesPerOrder(13))).toBe(5);
	});

	it('counts the orders a row starts from a sample of order ids', () => {
		expect(ordersPerRow(null)).toBe(1);
		expect(ordersPerRow(['#1', '#1', '#1', '#2', '#2', '#3'])).toBe(0.5);
		// A row without an order id is an order of its own.
		expect(ordersPerRow(['#1', '#1', '', ' '])).toBe(0.75);
	});

	it('says in the merchant’s words how big the file is, what fits and what to do', () => {
		const before = tooLargeMessage({ rows: 200e6, bytes: 7 * GiB }, 3.1 * GiB);
		expect(before).toBe(
			'This file has about 200,000,000 rows (7.0 GB): more than this browser can analyse at once (about 33,000,000 rows, with the 3.1 GB of memory a browser tab gives the analysis). Nothing was read: the page is ready for another file. Export a shorter period (for example the last two or three years) or split the export by date, and drop the most recent part.'
		);
		const during = tooLargeMessage({ rows: 40e6, bytes: 1.4 * GiB }, 3.1 * GiB, 0.42);
		expect(during).toContain('after about 42 % of the file (about 17,000,000 rows)');
		expect(during).not.toMatch(/Out of Memory|Error|allocate/);
		// Without a share from DuckDB's progress, no made-up figure.
		expect(tooLargeMessage({ rows: 40e6, bytes: 1.4 * GiB }, 3.1 * GiB, 0)).toContain(
			'Memory ran out while it was read; nothing of it was kept, and the page is ready for another file.'
		);
	});
});
