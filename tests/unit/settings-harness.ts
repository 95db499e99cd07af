/**
 * Shared by the drift and link property tests: the CDNOW sample loaded through the app's ingest on
 * DuckDB-WASM, the page's real Session over an engine that scores on that database with the real
 * scoring code, seeded random settings changes, and what "the same numbers" means.
 */
import { expect } from 'vitest';
import { inspectCsv, loadCsv } from '../../src/lib/ingest/pipeline';
import { newScoringCache, scoreCustomers, type RfmResult } from '../../src/lib/rfm/analysis';
import { RULE_SETS } from '../../src/lib/rfm/segments';
import type { LookBack, RuleSet, ScoringMethod } from '../../src/lib/rfm/types';
import { Session } from '../../src/lib/state/session.svelte';
import { EngineCalls, type EngineHandle } from '../../src/lib/state/engine-calls.svelte';
import type { Analysis, EngineApi, OpenedFile } from '../../src/lib/engine/api';
import type { SettingsChange } from '../../src/lib/state/settings';
import { cdnowSampleCsv } from '../support/cdnow';
import type { WasmTestDb } from './duckdb-wasm-node';

/** Loads the CDNOW sample (2,357 customers, 1997-01-01 … 1998-06-30) into `orders` through the app's ingest. */
export async function loadCdnow(db: WasmTestDb): Promise<void> {
	db.registerText('cdnow-drift.csv', cdnowSampleCsv());
	const inspection = await inspectCsv(db, 'cdnow-drift.csv');
	await loadCsv(db, 'cdnow-drift.csv', inspection.dialect, inspection.detection.plan);
}

/** A merchant's own rule set on a 1–4 scale (not a preset), so rule changes also bring a fourth scale. */
export const OWN_SET: RuleSet = {
	id: 'own-four',
	name: 'My four-level rules',
	levels: 4,
	fallback: 'Everyone else',
	fallbackDescription: '',
	fallbackAction: '',
	rules: [
		{ name: 'Best', recency: [4, 4], frequency: [3, 4], monetary: [1, 4], color: '#1b7837', description: '', action: '' },
		{ name: 'Big spenders', recency: [1, 4], frequency: [1, 4], monetary: [4, 4], color: '#c51b7d', description: '', action: '' },
		{ name: 'Fresh', recency: [3, 4], frequency: [1, 2], monetary: [1, 4], color: '#4393c3', description: '', action: '' },
		{ name: 'Fading', recency: [1, 2], frequency: [2, 4], monetary: [1, 4], color: '#f46d43', description: '', action: '' }
	]
};

/** The rule sets a change may pick: the presets and the merchant's own. */
export const RULE_CHOICES: readonly RuleSet[] = [...RULE_SETS, OWN_SET];

const pick = <T>(rnd: () => number, items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;

/**
 * A random settings change a merchant can make on the page. Dates stay inside the sample (orders
 * from 1997-01-01 to 1998-06-30) and windows start before any analysis date chosen, so every change
 * leaves settings the engine accepts.
 */
export function randomChange(rnd: () => number): SettingsChange {
	switch (pick(rnd, ['levels', 'levels', 'method', 'monetary', 'window', 'date', 'rules', 'rules'] as const)) {
		case 'levels':
			return { kind: 'levels', levels: pick(rnd, [3, 4, 5]) };
		case 'method':
			return { kind: 'method', method: pick<ScoringMethod>(rnd, ['balanced', 'r-rfm', 'fixed']) };
		case 'monetary':
			return { kind: 'monetary', monetary: pick(rnd, ['total', 'average'] as const) };
		case 'window': {
			const choices: LookBack[] = [
				{ kind: 'all' },
				{ kind: 'months', months: pick(rnd, [6, 12, 24]) },
				{ kind: 'range', from: pick(rnd, ['1997-01-01', '1997-02-15', '1997-06-01']), to: pick(rnd, [null, '1997-12-31', '1998-03-31']) }
			];
			return { kind: 'window', lookBack: pick(rnd, choices) };
		}
		case 'date':
			return { kind: 'date', analysisDate: pick(rnd, [null, '1998-01-15', '1998-04-01', '1998-07-01']) };
		case 'rules':
			return { kind: 'rules', set: pick(rnd, RULE_CHOICES) };
	}
}

/**
 * The page's Session over an engine that scores on `db` with the app's own scoring code, keeping a
 * scoring cache across rescores as the engine worker does (new orders, a new cache), so reuse of
 * metrics and distributions between settings is part of what must not drift.
 */
export function sessionOver(db: WasmTestDb): Session {
	let cache = newScoringCache();
	let ingest = { rowsRead: 0 } as unknown as Analysis['ingest'];
	const file = { fileName: 'cdnow.csv', size: 1, files: [], layout: 'generic', columns: [], distinct: {}, ambiguousDates: [], preview: [] };
	const api: Partial<EngineApi> = {
		openFile: async () =>
			({
				...file,
				detection: { plan: { mapping: { orderId: null, customerId: 'c', orderDate: 'd', amount: 'a', lastEngaged: null } }, missing: [] },
				generic: { plan: { mapping: {} }, missing: [] }
			}) as unknown as OpenedFile,
		analyze: async (request) => {
			ingest = { ...ingest };
			cache = newScoringCache();
			return { ingest, rfm: await scoreCustomers(db, request.scoring, request.ruleSet, cache), timings: { readMs: 0, scoreMs: 0 } };
		},
		rescore: async (scoring, ruleSet) => scoreCustomers(db, scoring, ruleSet, cache),
		behaviour: async () => []
	};
	const handle = {
		api,
		ready: Promise.resolve({ duckdbVersion: 'test', bundle: 'eh', startMs: 0 }),
		proxy: <T>(f: T) => f
	} as unknown as EngineHandle;
	return new Session(new EngineCalls(handle));
}

/** Makes one change through the Session, as the settings panel and rule-set picker do. */
export async function makeChange(session: Session, change: SettingsChange): Promise<void> {
	if (change.kind === 'levels') await session.setLevels(change.levels);
	else if (change.kind === 'rules') await session.useRuleSet(change.set);
	else await session.change(change);
}

/** Every customer's scores and segment, in id order. */
export function customerScores(db: WasmTestDb) {
	return db.rows<{ customer_id: string; r: number; f: number; m: number; segment: string }>(
		'SELECT customer_id, r, f, m, segment FROM customer_scores ORDER BY customer_id'
	);
}

/** The figures on screen agree: headline, thresholds, matrix and segment table. */
export function expectSameResult(got: RfmResult, want: RfmResult, label: string): void {
	expect(got.settings, `${label}: settings`).toEqual(want.settings);
	expect(got.headline, `${label}: headline`).toEqual(want.headline);
	expect(got.thresholds, `${label}: thresholds`).toEqual(want.thresholds);
	expect(got.matrix, `${label}: matrix`).toEqual(want.matrix);
	expect(got.segments, `${label}: segment table`).toEqual(want.segments);
}
