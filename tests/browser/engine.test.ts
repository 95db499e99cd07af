/**
 * The real engine worker (DuckDB-WASM behind Comlink) in a real browser: the same path the page
 * takes, without the page.
 */
import { describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import { getEngine, proxy } from '../../src/lib/engine/client';
import type { Progress } from '../../src/lib/engine/api';
import { DEFAULT_SCORING } from '../../src/lib/rfm/types';
import { GRID_MAP, R_RFM_README } from '../../src/lib/rfm/segments';

const csv = (text: string, name = 'orders.csv') => new File([text], name, { type: 'text/csv' });

const ORDERS = [
	'Order #;Client Ref;Purchase Timestamp;Order Value (EUR)',
	'1001;alice;2024-03-01 10:00:00 -0400;"€1.234,50"',
	'1002;bob;2024-03-05T23:30:00Z;19,90',
	'1003;alice;2024-04-01;100',
	'1004;;2024-04-02;5',
	'1005;carol;not a date;5',
	'1006;carol;2024-04-03;n/a',
	'1007;dave;2024-04-10;"1.000,00"'
].join('\n');

describe('engine worker', () => {
	it('starts DuckDB-WASM once, from our own origin, with the eh build', async () => {
		const engine = getEngine();
		const info = await engine.ready;
		expect(info.duckdbVersion).toBe('v1.4.3');
		expect(info.bundle).toBe('eh');
		// With nothing asked of it, the engine warmed up on its made-up store and left nothing of it behind.
		const warm = await engine.api.warmedUp();
		expect(warm?.ms).toBeGreaterThan(0);
		expect(warm?.leftovers).toBe(0);
		expect(getEngine()).toBe(engine);
		// DuckDB's wasm and worker script are fetched inside the workers (the engine worker starts
		// DuckDB's, which fetches its wasm), so each worker's own resource timing is read as well as the page's.
		const workers = await commands.workerResources();
		const fetched = [...performance.getEntriesByType('resource').map((e) => e.name), ...workers.flatMap((w) => w.resources)];
		const duckdbWorker = workers.find((w) => /\/duckdb-browser-eh\.worker\.js$/.test(w.url));
		expect(duckdbWorker, `workers seen: ${workers.map((w) => w.url).join(', ')}`).toBeDefined();
		// Seen where they happen, not in the page's timeline (which lists only the dev server's
		// `duckdb-eh.wasm?import&url` module): the wasm in DuckDB's worker, its script in the engine worker.
		expect(duckdbWorker!.resources.filter((u) => /\/duckdb-eh\.wasm$/.test(u))).toHaveLength(1);
		expect(fetched.filter((u) => /\/duckdb-browser-eh\.worker\.js$/.test(u))).toHaveLength(1);
		expect(fetched.filter((u) => new URL(u).origin !== location.origin)).toEqual([]);
	});

	it('opens a semicolon file with merchant headers, analyses it and accounts for every row', async () => {
		const { api } = getEngine();
		const steps: string[] = [];
		const opened = await api.openFile(
			csv(ORDERS),
			proxy((p: Progress) => void steps.push(p.step))
		);
		expect(opened.columns).toEqual(['Order #', 'Client Ref', 'Purchase Timestamp', 'Order Value (EUR)']);
		expect(opened.detection.plan.mapping).toMatchObject({
			orderId: 'Order #',
			customerId: 'Client Ref',
			orderDate: 'Purchase Timestamp',
			amount: 'Order Value (EUR)',
			lastEngaged: null
		});
		expect(opened.detection.plan.amountFormat?.decimal).toBe(',');

		const analysis = await api.analyze(
			{ mapping: opened.detection.plan.mapping, scoring: DEFAULT_SCORING, ruleSet: GRID_MAP },
			proxy((p: Progress) => void steps.push(p.step))
		);
		expect(steps).toEqual(['open', 'read', 'score']);
		expect(analysis.ingest).toMatchObject({
			layout: 'generic',
			files: ['orders.csv'],
			rowsRead: 7,
			rowsUsed: 4,
			orders: 4,
			customers: 3,
			excluded: [
				{ reason: 'no_customer', label: 'No customer (guest order)', rows: 1, revenue: 5 },
				{ reason: 'unreadable_date', label: 'Missing or unreadable order date', rows: 1, revenue: 5 },
				{ reason: 'unreadable_amount', label: 'Missing or unreadable amount', rows: 1, revenue: 0 }
			]
		});
		const h = analysis.rfm.headline;
		expect(h).toMatchObject({ customers: 3, orders: 4, firstOrder: '2024-03-01', lastOrder: '2024-04-10', analysisDate: '2024-04-11' });
		expect(h.revenue).toBeCloseTo(1234.5 + 19.9 + 100 + 1000, 6);

		const text = new TextDecoder().decode(await api.exportCustomers());
		const [header, ...rows] = text.trim().split('\n');
		expect(header).toBe(
			'customer_id,first_order,last_order,recency_days,frequency,monetary,r,f,m,rfm,segment,revenue,segment_description,suggested_action,previous_segment,segment_since'
		);
		expect(rows.map((r) => r.split(',').slice(0, 6))).toEqual([
			['alice', '2024-03-01', '2024-04-01', '10', '2', '1334.5'],
			['bob', '2024-03-05', '2024-03-05', '37', '1', '19.9'],
			['dave', '2024-04-10', '2024-04-10', '1', '1', '1000.0']
		]);
		// 90 days before the analysis date (2024-01-12) nobody had ordered; dave's first order came after the last monthly snapshot.
		expect(rows.map((r) => r.split(',').at(-2))).toEqual(['Not yet customers', 'Not yet customers', 'Not yet customers']);
		expect(rows[2]!.split(',').at(-1)).toBe('2024-04-11');

		const excluded = new TextDecoder()
			.decode(await api.exportExcludedRows())
			.trim()
			.split('\n');
		expect(excluded[0]).toBe('file,row_number,reason,customer_id,order_id,order_date,amount,status,line');
		expect(excluded.slice(1)).toEqual([
			'orders.csv,4,no_customer,,1004,2024-04-02,5.0,,',
			'orders.csv,5,unreadable_date,carol,1005,not a date,5.0,,',
			'orders.csv,6,unreadable_amount,carol,1006,2024-04-03,n/a,,'
		]);
	});

	it('re-scores with R rfm compatible settings without reading the file again', async () => {
		const { api } = getEngine();
		const opened = await api.openFile(csv(ORDERS));
		await api.analyze({ mapping: opened.detection.plan.mapping, scoring: DEFAULT_SCORING, ruleSet: GRID_MAP });
		const rfm = await api.rescore({ ...DEFAULT_SCORING, method: 'r-rfm', levels: 5, analysisDate: '2024-05-01' }, R_RFM_README);
		expect(rfm.headline.analysisDate).toBe('2024-05-01');
		expect(rfm.ruleSetId).toBe('r-rfm');
		expect(rfm.thresholds.recency.every((b) => !b.upperInclusive)).toBe(true);
	});

	it('re-scores with fixed thresholds in a look-back window, and refuses unusable settings or rules by name', async () => {
		const { api } = getEngine();
		const opened = await api.openFile(csv(ORDERS));
		await api.analyze({ mapping: opened.detection.plan.mapping, scoring: DEFAULT_SCORING, ruleSet: GRID_MAP });
		const rfm = await api.rescore(
			{ ...DEFAULT_SCORING, method: 'fixed', monetary: 'average', lookBack: { kind: 'range', from: '2024-03-05', to: null } },
			GRID_MAP
		);
		// bob (03-05) and dave (04-10); alice's 04-01 order (100) without her 03-01 one.
		expect(rfm.headline).toMatchObject({
			customers: 3,
			orders: 3,
			windowFrom: '2024-03-05',
			windowTo: '2024-04-11',
			ordersBeforeWindow: 1
		});
		expect(rfm.thresholds.frequency.map((b) => b.upper)).toEqual([1, 2, 4, 9, Infinity]);
		const [header, ...rows] = new TextDecoder()
			.decode(await api.exportCustomers())
			.trim()
			.split('\n');
		expect(header!.split(',').slice(11)).toEqual([
			'revenue',
			'segment_description',
			'suggested_action',
			'previous_segment',
			'segment_since'
		]);
		expect(rows).toHaveLength(3);

		await expect(
			api.rescore({ ...DEFAULT_SCORING, method: 'fixed', fixed: { ...DEFAULT_SCORING.fixed, recency: [90, 30, 180, 365] } }, GRID_MAP)
		).rejects.toMatchObject({
			name: 'FileProblem',
			message: expect.stringContaining('Recency thresholds must go up')
		});
		await expect(
			api.rescore({ ...DEFAULT_SCORING, lookBack: { kind: 'range', from: '2030-01-01', to: null } }, GRID_MAP)
		).rejects.toMatchObject({
			name: 'FileProblem',
			message: expect.stringContaining('No order is dated on or after 2030-01-01')
		});
		await expect(api.rescore(DEFAULT_SCORING, { ...GRID_MAP, fallback: '' })).rejects.toMatchObject({ name: 'FileProblem' });
	});

	it('names the problem with a file that is not text', async () => {
		const { api } = getEngine();
		const png = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0])], 'logo.csv');
		await expect(api.openFile(png)).rejects.toMatchObject({ name: 'FileProblem', message: expect.stringContaining('PNG image') });
		await expect(api.openFile(csv(''))).rejects.toMatchObject({ name: 'FileProblem', message: expect.stringContaining('empty') });
	});

	it('cancels a running analysis and stays usable', async () => {
		const { api } = getEngine();
		const lines = ['order_id,customer_id,order_date,amount'];
		for (let i = 0; i < 300_000; i++) lines.push(`${i},c${i % 50_000},2024-0${1 + (i % 9)}-1${i % 10},${(i % 997) / 10}`);
		const opened = await api.openFile(csv(lines.join('\n'), 'big.csv'));
		const running = api.analyze({ mapping: opened.detection.plan.mapping, scoring: DEFAULT_SCORING, ruleSet: GRID_MAP });
		await new Promise((r) => setTimeout(r, 30));
		await api.cancel();
		await expect(running).rejects.toMatchObject({ name: 'CancelledError' });
		const again = await api.analyze({ mapping: opened.detection.plan.mapping, scoring: DEFAULT_SCORING, ruleSet: GRID_MAP });
		expect(again.rfm.headline.customers).toBe(50_000);
	});
});
