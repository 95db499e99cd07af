/**
 * Every supported file format through the real engine worker in Chromium: the worker's own
 * DuckDB-WASM, parquet-wasm served from our origin, the workbook reader loaded on demand, gzip
 * unpacked by DuckDB — checked against the figures computed from the fixture's orders.
 */
import { describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import { getEngine, proxy } from '../../src/lib/engine/client';
import type { Progress } from '../../src/lib/engine/api';
import { DEFAULT_SCORING } from '../../src/lib/rfm/types';
import { GRID_MAP } from '../../src/lib/rfm/segments';
import { excelSerial, expectedFigures, FIXTURE_ORDERS } from '../fixtures/orders-data';
import { xlsx, type XCell } from '../fixtures/xlsx-writer';

/** A fixture's bytes as they are on disk (fetching it would let the dev server unpack a .gz on the way). */
async function fixture(name: string): Promise<File> {
	const base64 = await commands.readFile(`tests/fixtures/formats/${name}`, 'base64');
	return new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], name);
}

const expected = expectedFigures();

describe('file formats in the browser', () => {
	const files = [
		['orders-bom-multiline.csv', 'csv'],
		['orders-decimal-comma.csv', 'csv'],
		['orders-latin1.csv', 'csv'],
		['orders-cp1252.csv', 'csv'],
		['orders-utf16.txt', 'csv'],
		['orders.csv.gz', 'csv-gzip'],
		['orders-cp1252.csv.gz', 'csv-gzip'],
		['orders.xlsx', 'xlsx'],
		['orders.parquet', 'parquet'],
		['orders.json', 'json'],
		['orders.ndjson', 'ndjson']
	] as const;
	for (const [name, format] of files) {
		it(`${name}: orders, customers and revenue as in the fixture`, async () => {
			const { api } = getEngine();
			const opened = await api.openFile(await fixture(name));
			expect(opened.format?.format).toBe(format);
			expect(opened.detection.missing).toEqual([]);
			const analysis = await api.analyze({ mapping: opened.detection.plan.mapping, scoring: DEFAULT_SCORING, ruleSet: GRID_MAP });
			expect(analysis.ingest).toMatchObject({ rowsRead: FIXTURE_ORDERS.length, rowsUsed: FIXTURE_ORDERS.length, excluded: [] });
			expect(analysis.rfm.headline).toMatchObject({
				orders: expected.orders,
				customers: expected.customers,
				lastOrder: expected.lastOrder
			});
			expect(analysis.rfm.headline.revenue).toBeCloseTo(expected.revenue, 6);
		});
	}

	it('decodes Windows-1252 text in the browser: € and curly quotes, accents', async () => {
		const { api } = getEngine();
		const opened = await api.openFile(await fixture('orders-cp1252.csv'));
		expect(opened.format).toMatchObject({ encoding: 'windows-1252' });
		expect(opened.preview[0]!.slice(2)).toEqual([`“${FIXTURE_ORDERS[0]!.name}”`, FIXTURE_ORDERS[0]!.orderedAt, '€19,99']);
	});

	it('lists the sheets of a workbook and reads another one on request', async () => {
		const { api } = getEngine();
		const opened = await api.openFile(await fixture('orders.xlsx'));
		expect(opened.format).toMatchObject({
			sheet: 'Orders',
			sheets: [
				{ name: 'Summary', usable: true },
				{ name: 'Orders', usable: true }
			]
		});
		expect(opened.preview[0]![3]).toBe(FIXTURE_ORDERS[0]!.orderedAt);
		const summary = await api.openSheet('Summary');
		expect(summary.columns).toEqual(['Month', 'Revenue']);
		expect(summary.format?.sheet).toBe('Summary');
	});

	it('reports bytes converted while reading a large legacy-encoded file', async () => {
		const { api } = getEngine();
		const line = '5001;cust-1;José Müller;2024-01-03;19,99\n';
		const latin1 = Uint8Array.from([...line].map((c) => c.charCodeAt(0)));
		const rows = Math.ceil((9 * 2 ** 20) / latin1.length);
		const body = new Uint8Array(latin1.length * rows);
		for (let i = 0; i < rows; i++) body.set(latin1, i * latin1.length);
		const header = new TextEncoder().encode('order_id;customer;name;order_date;amount\n');
		const seen: Progress[] = [];
		await api.openFile(
			new File([header, body], 'big-latin1.csv'),
			proxy((p: Progress) => void seen.push(p))
		);
		const withBytes = seen.filter((p) => p.total !== undefined);
		expect(withBytes.length).toBeGreaterThanOrEqual(2);
		expect(withBytes.at(-1)).toMatchObject({ done: header.length + body.length, total: header.length + body.length });
		expect(withBytes[0]!.label).toMatch(/^Converting big-latin1\.csv from Windows-1252/);
	});
});

describe('a large workbook', () => {
	it('loads a sheet that unpacks to more than 512 KB (regression: the reader’s worker unzip hung in the engine worker)', async () => {
		const rows: XCell[][] = [['Order ID', 'Customer', 'Order Date', 'Total']];
		let revenue = 0;
		for (let i = 0; i < 15_000; i++) {
			const amount = ((i * 37) % 5000) / 100 + 1;
			revenue += amount;
			rows.push([100_000 + i, `c${i % 3000}`, { date: excelSerial(`2024-0${1 + (i % 9)}-1${i % 10} 10:30:00`) }, amount]);
		}
		const { api } = getEngine();
		const opened = await api.openFile(new File([xlsx([{ name: 'Orders', rows }]) as Uint8Array<ArrayBuffer>], 'big.xlsx'));
		expect(opened.preview[0]).toEqual(['100000', 'c0', '2024-01-10 10:30:00', '1']);
		const analysis = await api.analyze({ mapping: opened.detection.plan.mapping, scoring: DEFAULT_SCORING, ruleSet: GRID_MAP });
		expect(analysis.rfm.headline).toMatchObject({ orders: 15_000, customers: 3000 });
		expect(analysis.rfm.headline.revenue).toBeCloseTo(revenue, 4);
	}, 120_000);
});

describe('reading a large CSV', () => {
	it('reports how much of the file DuckDB has read, as a share of its bytes', async () => {
		const { api } = getEngine();
		const lines = ['order_id,customer_id,ordered_at,amount'];
		for (let i = 0; i < 600_000; i++) lines.push(`${i},c${i % 50_000},2024-0${1 + (i % 9)}-1${i % 10},${(i % 997) + 0.5}`);
		const file = new File([lines.join('\n')], 'large.csv');
		const opened = await api.openFile(file);
		const seen: Progress[] = [];
		await api.analyze(
			{ mapping: opened.detection.plan.mapping, scoring: DEFAULT_SCORING, ruleSet: GRID_MAP },
			proxy((p: Progress) => void seen.push(p))
		);
		const bar = seen.filter((p) => p.step === 'read' && p.total !== undefined);
		expect(bar.length).toBeGreaterThan(0);
		expect(bar.every((p) => p.total === file.size && p.done! >= 0 && p.done! <= file.size)).toBe(true);
	});
});
