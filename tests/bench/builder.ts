/**
 * Segment builder recount time: how long the live counts take after an edit, on 100k and 1M
 * customers, on DuckDB-WASM's Node build (the wasm the browser runs, single-threaded like the
 * page's `eh` build). Orders are generated in SQL (about 3 per customer, with a channel and a
 * coupon column as the richer ingest adds), scored with the page's defaults, then each
 * definition below is counted 7 times; the median is printed.
 *
 * Run: npx tsx tests/bench/builder.ts [--customers 100000,1000000]
 */
import { openWasmDb } from '../unit/duckdb-wasm-node';
import { scoreCustomers } from '../../src/lib/rfm/analysis';
import { computeBehaviour, DEFAULT_BEHAVIOUR } from '../../src/lib/rfm/behaviour';
import { GRID_MAP } from '../../src/lib/rfm/segments';
import { DEFAULT_SCORING } from '../../src/lib/rfm/types';
import { countSegments, prepareBuilder } from '../../src/lib/builder/builder-engine';
import type { SegmentDefinition } from '../../src/lib/builder/definition';

const DEFINITIONS: [string, SegmentDefinition][] = [
	['everyone', { match: 'all', groups: [] }],
	[
		'two groups on scores and metrics',
		{
			match: 'any',
			groups: [
				{
					match: 'all',
					conditions: [
						{ field: 'r', op: 'ge', value: 4 },
						{ field: 'total_spent', op: 'gt', value: 300 }
					]
				},
				{
					match: 'all',
					conditions: [
						{ field: 'orders', op: 'eq', value: 1 },
						{ field: 'days_since_last', op: 'le', value: 60 }
					]
				}
			]
		}
	],
	[
		'segment, behaviour, channel and coupon',
		{
			match: 'all',
			groups: [
				{
					match: 'any',
					conditions: [
						{ field: 'segment', op: 'is', value: 'Champions' },
						{ field: 'behaviour', op: 'in', value: 'loyal' }
					]
				},
				{
					match: 'all',
					conditions: [
						{ field: 'channel', op: 'is', value: 'web' },
						{ field: 'coupon', op: 'any' }
					]
				}
			]
		}
	]
];

const arg = process.argv.indexOf('--customers');
const sizes = (arg > 0 ? process.argv[arg + 1]! : '100000,1000000').split(',').map(Number);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (const customers of sizes) {
	const db = await openWasmDb();
	const t0 = performance.now();
	await db.run(`CREATE TABLE orders AS
SELECT 'C' || c AS customer_id, 'O' || c || '-' || k AS order_id,
	DATE '2024-01-01' + CAST(hash(c, k) % 540 AS INTEGER) AS ordered_at,
	10 + CAST(hash(k, c) % 20000 AS DOUBLE) / 100 AS amount, 1 AS lines, CAST(NULL AS DATE) AS engaged_at,
	CASE hash(c) % 3 WHEN 0 THEN 'web' WHEN 1 THEN 'pos' ELSE 'marketplace' END AS channel,
	CASE WHEN hash(c, k, 7) % 5 = 0 THEN 'SPRING10' END AS coupon
FROM range(${customers}) r(c), range(1 + CAST(hash(c) % 5 AS INTEGER)) s(k)`);
	const rfm = await scoreCustomers(db, DEFAULT_SCORING, GRID_MAP);
	await computeBehaviour(db, DEFAULT_BEHAVIOUR, rfm.headline.analysisDate);
	const t1 = performance.now();
	await prepareBuilder(db, rfm.headline.analysisDate);
	const t2 = performance.now();
	console.log(
		`builder, ${customers.toLocaleString('en')} customers (${rfm.headline.orders.toLocaleString('en')} orders): data + scoring ${Math.round(t1 - t0)} ms, builder table + fields ${Math.round(t2 - t1)} ms`
	);
	for (const [name, def] of DEFINITIONS) {
		const times: number[] = [];
		let found = 0;
		for (let i = 0; i < 7; i++) {
			const s = performance.now();
			const [counts] = await countSegments(db, [def]);
			times.push(performance.now() - s);
			found = counts!.customers;
		}
		console.log(
			`  recount "${name}": median ${median(times).toFixed(1)} ms (max ${Math.max(...times).toFixed(1)} ms), ${found.toLocaleString('en')} customers`
		);
	}
	db.close();
}
