/**
 * Links carry every setting that changes a number (issue 20, finding 2): for random settings
 * reached through the page's Session, the view's link (written as `Links.currentHash` writes it)
 * opened on a fresh page (read as `Links` reads it: `readViewState` → `settingsFromView`) shows the
 * same headline, thresholds, matrix, segment table and customer scores. CDNOW on DuckDB-WASM.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHash, parseHash, readViewState, writeViewState } from '../../src/lib/state/url-state';
import { rulesInForce, sameRuleSet, settingsFromView } from '../../src/lib/state/settings';
import { RULE_SETS } from '../../src/lib/rfm/segments';
import type { RuleSet, ScoringSettings } from '../../src/lib/rfm/types';
import { seededRandom } from '../support/random';
import { openWasmDb, type WasmTestDb } from './duckdb-wasm-node';
import {
	customerScores,
	expectSameResult,
	loadCdnow,
	makeChange,
	OWN_SET,
	randomChange,
	RULE_CHOICES,
	sessionOver
} from './settings-harness';
import type { Session } from '../../src/lib/state/session.svelte';

let db: WasmTestDb;
let fresh: WasmTestDb;
beforeAll(async () => {
	[db, fresh] = await Promise.all([openWasmDb(), openWasmDb()]);
	await loadCdnow(db);
	await loadCdnow(fresh);
});
afterAll(() => {
	db.close();
	fresh.close();
});

/** The link of the view on screen, as `Links.currentHash` writes it (a demo store as the source). */
function linkOf(session: Session): string {
	return formatHash(
		writeViewState({
			source: { kind: 'demo', seed: 42, customers: null },
			tab: session.tab,
			scoring: JSON.parse(JSON.stringify(session.scoring)) as ScoringSettings,
			ruleSetId: session.ruleSet.id,
			selection: null,
			extra: new Map()
		})
	);
}

/** A fresh page opening the link, with these rule sets in its browser. */
async function openLink(hash: string, choices: readonly RuleSet[]) {
	const view = readViewState(parseHash(hash));
	const { settings, notices } = settingsFromView(view, choices);
	const page = sessionOver(fresh);
	page.setSettings(settings);
	await page.openFile(new File([], 'cdnow.csv'));
	return { page, notices, view };
}

describe('a view link opened on a fresh page shows the same numbers', () => {
	it("the issue's link: lv=4&lb=m12 keeps 1–4 and the 12-month window", async () => {
		const { page, notices, view } = await openLink('#demo=42&lv=4&lb=m12', RULE_SETS);
		expect(notices).toEqual([]);
		expect(view.unapplied).toBeUndefined();
		expect(page.scoring.levels).toBe(4);
		expect(page.scoring.lookBack).toEqual({ kind: 'months', months: 12 });
		expect(page.ruleSet.levels).toBe(4);
		expect(page.analysis!.rfm.settings.levels).toBe(4);
		expect(linkOf(page)).toBe('#demo=42&lv=4&lb=m12');
		// The same view reached by clicking: default page, levels 1–4, last 12 months.
		const clicked = sessionOver(db);
		await clicked.openFile(new File([], 'cdnow.csv'));
		await clicked.setLevels(4);
		await clicked.change({ kind: 'window', lookBack: { kind: 'months', months: 12 } });
		expectSameResult(page.analysis!.rfm, clicked.analysis!.rfm, 'lv=4&lb=m12');
	});

	// About 300 scorings: alone 20 s, beside other test files on two cores more than the default 60 s.
	it('round-trips 50 seeded random views: headline, thresholds, matrix, segment table and every customer', async () => {
		const links = new Set<string>();
		for (let seed = 101; seed <= 150; seed++) {
			const rnd = seededRandom(seed);
			const session = sessionOver(db);
			await session.openFile(new File([], 'cdnow.csv'));
			for (let i = 0; i < 2 + Math.floor(rnd() * 5); i++) await makeChange(session, randomChange(rnd));
			const hash = linkOf(session);
			links.add(hash);
			const { page, notices } = await openLink(hash, RULE_CHOICES);
			expect(notices, hash).toEqual([]);
			expect(linkOf(page), `${hash}: the opened page's own link`).toBe(hash);
			expect(JSON.parse(JSON.stringify(page.ruleSet)), `${hash}: rules`).toEqual(JSON.parse(JSON.stringify(session.ruleSet)));
			expectSameResult(page.analysis!.rfm, session.analysis!.rfm, hash);
			expect(await customerScores(fresh), `${hash}: customers`).toEqual(await customerScores(db));
		}
		// The seeds reach many different views, not one view fifty times.
		expect(links.size).toBeGreaterThanOrEqual(30);
	}, 300_000);

	it('tells rules edited on the page (a link cannot carry them) from rules it names', async () => {
		const session = sessionOver(db);
		await session.openFile(new File([], 'cdnow.csv'));
		await session.setLevels(4);
		const opened = () =>
			rulesInForce(
				settingsFromView({ scoring: JSON.parse(JSON.stringify(session.scoring)), ruleSetId: session.ruleSet.id }, RULE_SETS).settings
			);
		// What Links.makeViewLink checks before it offers a link.
		expect(sameRuleSet(opened(), JSON.parse(JSON.stringify(session.ruleSet)))).toBe(true);
		session.ruleSet.rules[0]!.recency = [3, 4];
		await session.rescore();
		expect(sameRuleSet(opened(), JSON.parse(JSON.stringify(session.ruleSet)))).toBe(false);
		// The edit is the definition from now on: back to 1–5 rescales the edited rules, not the preset.
		await session.setLevels(5);
		expect(session.ruleDefinition.levels).toBe(4);
		expect(session.ruleDefinition.rules[0]!.recency).toEqual([3, 4]);
		expect(session.ruleSet.rules[0]!.recency).toEqual([4, 5]);
	});

	it('says what a link asks for that this page cannot apply', async () => {
		const other = await openLink(`#demo=42&rs=${OWN_SET.id}&lv=4`, RULE_SETS);
		expect(other.notices).toEqual([
			`This link uses a rule set saved in another browser ("${OWN_SET.id}"); the default segments (R×F grid map) are shown instead.`
		]);
		expect(other.page.scoring.levels).toBe(4);
		const bad = readViewState(parseHash('#demo=42&lv=7&sc=q&lb=x9&mo=max&ad=soon&fx=1.2'));
		expect(bad.unapplied).toEqual([
			'the scoring method "q" is unknown (balanced scoring is used)',
			'score levels "7" are not 3, 4 or 5 (1–5 is used)',
			'the analysis date "soon" is not a date like 2024-12-31 (the day after the latest order is used)',
			'the look-back window "x9" cannot be read (all history is used)',
			'monetary "max" is unknown (total revenue is used)',
			'the fixed thresholds "1.2" do not fit 5 score levels (the default thresholds are used)'
		]);
	});
});
