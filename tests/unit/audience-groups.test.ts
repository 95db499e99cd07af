/**
 * Any group to the e-mail tool (issue 20, finding 5): names from the full (billing) name when the
 * file has no first/last name, one row per e-mail address (the customer id with the most revenue
 * kept), and the customers left out counted by reason before the download. On hand-made rows and
 * on the real Shopify export through the builder engine.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvParse } from 'd3';
import { namesOf, prepareAudience, type ContactRow } from '../../src/lib/builder/audience';
import { prepareBuilder, presetCounts, presetCsv, selectCustomers } from '../../src/lib/builder/builder-engine';
import { selectionExportSql } from '../../src/lib/rfm/customer-list';
import { loadOrders } from '../../src/lib/ingest/pipeline';
import { inspectSources, sniffSource } from '../../src/lib/ingest/sources';
import { scoreCustomers } from '../../src/lib/rfm/analysis';
import { computeBehaviour, DEFAULT_BEHAVIOUR } from '../../src/lib/rfm/behaviour';
import { GRID_MAP } from '../../src/lib/rfm/segments';
import { DEFAULT_SCORING } from '../../src/lib/rfm/types';
import { openWasmDb, type WasmTestDb } from './duckdb-wasm-node';

const row = (id: string, email: string | null, revenue: number, extra: Partial<ContactRow> = {}): ContactRow => ({
	customer_id: id,
	email,
	phone: null,
	first_name: null,
	last_name: null,
	full_name: null,
	country: null,
	segment: 'Champions',
	revenue,
	accepts_marketing: true,
	...extra
});

describe('prepareAudience', () => {
	it('splits a full name when there is no first or last name, and keeps the file’s own names', () => {
		expect(namesOf({ first_name: null, last_name: null, full_name: ' Karine   Ruby ' })).toEqual({ first: 'Karine', last: 'Ruby' });
		expect(namesOf({ first_name: null, last_name: null, full_name: 'Ana María de la Cruz' })).toEqual({
			first: 'Ana',
			last: 'María de la Cruz'
		});
		expect(namesOf({ first_name: null, last_name: null, full_name: 'Cher' })).toEqual({ first: 'Cher', last: null });
		expect(namesOf({ first_name: 'Ann', last_name: 'Lee', full_name: 'Someone Else' })).toEqual({ first: 'Ann', last: 'Lee' });
	});

	it('keeps one row per e-mail (the customer id with most revenue) and counts who is left out and why', async () => {
		const rows = [
			row('A1', 'Same@Example.com', 120),
			row('A2', ' same@example.com', 480, { full_name: 'Big Spender' }),
			row('A3', 'same@example.com', 480),
			row('B1', null, 900),
			row('B2', 'not-an-address', 50),
			row('C1', 'c1@example.com', 70, { accepts_marketing: false }),
			row('D1', 'd1@example.com', 10, { accepts_marketing: null })
		];
		const { rows: kept, counts } = await prepareAudience(rows, 'email', true);
		expect(kept.map((r) => [r.customer_id, r.first_name, r.last_name])).toEqual([
			['A2', 'Big', 'Spender'],
			['D1', null, null]
		]);
		expect(counts).toEqual({ customers: 7, rows: 2, noContact: 2, declined: 1, duplicate: 2 });
		// Without the consent filter the customer who declined is in.
		expect((await prepareAudience(rows, 'email', false)).counts).toEqual({
			customers: 7,
			rows: 3,
			noContact: 2,
			declined: 0,
			duplicate: 2
		});
		// Ads: a phone with a known country is enough; duplicates by e-mail still count once.
		const ads = await prepareAudience([...rows, row('E1', null, 5, { phone: '+33 6 12 34 56 78' })], 'meta', false);
		expect(ads.counts).toEqual({ customers: 8, rows: 4, noContact: 2, declined: 0, duplicate: 2 });
	});

	it('counts a group where everyone declined marketing as 0 rows, all declined', async () => {
		const { rows, counts } = await prepareAudience(
			[row('A', 'a@x.io', 1, { accepts_marketing: false }), row('B', 'b@x.io', 2, { accepts_marketing: false })],
			'email',
			true
		);
		expect(rows).toEqual([]);
		expect(counts).toEqual({ customers: 2, rows: 0, noContact: 0, declined: 2, duplicate: 0 });
	});
});

describe('the real Shopify export to the e-mail tool', () => {
	const path = resolve(import.meta.dirname, '../reference/shopify/orders_export_forezia_devstore.csv');
	let db: WasmTestDb;
	beforeAll(async () => {
		db = await openWasmDb();
		db.registerFile('shopify.csv', path);
		const source = await sniffSource(db, 'shopify.csv', 'shopify.csv', readFileSync(path).subarray(0, 65536).toString('utf8'));
		const inspection = await inspectSources(db, [source]);
		await loadOrders(db, inspection.relations, inspection.detection.plan, { layout: inspection.layout, files: inspection.files });
		const rfm = await scoreCustomers(db, DEFAULT_SCORING, GRID_MAP);
		await computeBehaviour(db, DEFAULT_BEHAVIOUR, rfm.headline.analysisDate);
		await prepareBuilder(db, rfm.headline.analysisDate);
	});
	afterAll(() => db.close());

	it('names each customer from the Billing Name, and says every one of them declined marketing', async () => {
		// The export's own first order row of each e-mail carries the Billing Name and Accepts Marketing.
		const rows = csvParse(readFileSync(path, 'utf8'));
		const billing = new Map<string, string>();
		for (const r of rows)
			if (r.Email && r['Billing Name'] && !billing.has(r.Email.toLowerCase())) billing.set(r.Email.toLowerCase(), r['Billing Name']);
		await selectCustomers(db, { kind: 'all' });
		const csv = await presetCsv(db, { preset: 'email', tag: 'Everyone', marketingOnly: false });
		const lines = csv.trim().split('\n');
		expect(lines[0]).toBe('email,first_name,last_name,tags');
		expect(lines.slice(1).sort()).toEqual(
			[...billing.entries()]
				.filter(([email]) => ['ayumu.hirano@example.com', 'karine.ruby@example.com', 'russel.winfield@example.com'].includes(email))
				.sort((a, b) => (a[0] < b[0] ? -1 : 1))
				.map(([email, name]) => `${email},${name.split(' ')[0]},${name.split(' ').slice(1).join(' ')},Everyone`)
		);
		expect(lines.slice(1).every((l) => !l.includes(',,'))).toBe(true);
		const accepts = new Set(rows.filter((r) => r.Email && r['Accepts Marketing']).map((r) => r['Accepts Marketing']));
		expect(accepts).toEqual(new Set(['no']));
		expect(await presetCounts(db, { preset: 'email', tag: 'Everyone', marketingOnly: true })).toEqual({
			customers: 3,
			rows: 0,
			noContact: 0,
			declined: 3,
			duplicate: 0
		});
	});

	it("the list's own CSV carries the e-mail and the names split from the Billing Name", async () => {
		const rows = await db.rows<{ customer_id: string; segment: string; email: string; first_name: string; last_name: string }>(
			`SELECT customer_id, segment, email, first_name, last_name FROM (${selectionExportSql({ kind: 'all' }, GRID_MAP, true)})`
		);
		expect(rows.map((r) => [r.email, r.first_name, r.last_name]).sort()).toEqual([
			['ayumu.hirano@example.com', 'Ayumu', 'Hirano'],
			['karine.ruby@example.com', 'Karine', 'Ruby'],
			['russel.winfield@example.com', 'Russell', 'Winfield']
		]);
		// Without a customers table the columns are left out, as before.
		const plain = await db.rows<Record<string, unknown>>(`SELECT * FROM (${selectionExportSql({ kind: 'all' }, GRID_MAP)}) LIMIT 1`);
		expect(Object.keys(plain[0]!)).not.toContain('email');
	});
});
