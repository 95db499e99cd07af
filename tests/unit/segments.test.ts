import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	GRID_MAP,
	isPresetId,
	R_RFM_README,
	rescaleRuleSet,
	RULE_SETS,
	segmentCaseSql,
	segmentColor,
	segmentInfo,
	segmentInfoSql,
	segmentOf,
	SIX_GROUPS,
	TWELVE_SEGMENTS,
	usesEngagement
} from '../../src/lib/rfm/segments';
import { validateRuleSet } from '../../src/lib/rfm/rule-json';
import type { RuleSet, SegmentRule } from '../../src/lib/rfm/types';
import { openWasmDb, type WasmTestDb } from './duckdb-wasm-node';

function triples(levels: number): [number, number, number][] {
	const s = Array.from({ length: levels }, (_, i) => i + 1);
	return s.flatMap((r) => s.flatMap((f) => s.map((m) => [r, f, m] as [number, number, number])));
}

/** Days since the latest engagement worth testing around the 30-day rule (null: unknown). */
const ENGAGED_DAYS = [null, -3, 0, 29, 30, 31, 400];

function rule(
	name: string,
	recency: [number, number],
	frequency: [number, number],
	monetary: [number, number],
	extra: Partial<SegmentRule> = {}
): SegmentRule {
	return { name, recency, frequency, monetary, color: '#123456', description: '', action: '', ...extra };
}

describe('the presets', () => {
	it('are valid, with words for every segment and the fallback', () => {
		expect(RULE_SETS.map((s) => s.id)).toEqual(['grid', 'twelve', 'six', 'r-rfm']);
		for (const set of RULE_SETS) {
			expect(validateRuleSet(set), set.id).toEqual([]);
			for (const info of segmentInfo(set)) {
				expect(info.description.length, `${set.id} ${info.segment}`).toBeGreaterThan(10);
				expect(info.action.length, `${set.id} ${info.segment}`).toBeGreaterThan(10);
			}
		}
	});

	it('tell preset ids from merchants’ own', () => {
		expect(isPresetId('r-rfm')).toBe(true);
		expect(isPresetId('mine')).toBe(false);
	});

	it('say which ones need an engagement column', () => {
		expect(RULE_SETS.filter(usesEngagement)).toEqual([TWELVE_SEGMENTS]);
		expect(TWELVE_SEGMENTS.rules.find((r) => r.name === 'Lost but engaged')!.description).toMatch(/engagement column/);
	});
});

describe('the R×F grid map', () => {
	// Written out as the matrix in design.md: rows F5 down to F1, columns R1 to R5.
	const K = {
		C: 'Champions',
		L: 'Loyal',
		P: 'Potential Loyalist',
		N: 'New Customers',
		Pr: 'Promising',
		A: 'Need Attention',
		S: 'About To Sleep',
		R: 'At Risk',
		X: "Can't Lose Them",
		H: 'Hibernating'
	};
	const GRID = [
		['X', 'X', 'L', 'L', 'C'],
		['R', 'R', 'L', 'L', 'C'],
		['R', 'R', 'A', 'P', 'P'],
		['H', 'H', 'S', 'P', 'P'],
		['H', 'H', 'S', 'Pr', 'N']
	] as const;

	it('names every R×F cell as design.md draws it, whatever M', () => {
		for (const [r, f, m] of triples(5)) expect(segmentOf(GRID_MAP, r, f, m), `${r}${f}${m}`).toBe(K[GRID[5 - f]![r - 1]!]);
	});

	it('is a partition: exactly one rule holds each cell', () => {
		for (const [r, f, m] of triples(5)) {
			const holders = GRID_MAP.rules.filter(
				(x) =>
					r >= x.recency[0] && r <= x.recency[1] && f >= x.frequency[0] && f <= x.frequency[1] && m >= x.monetary[0] && m <= x.monetary[1]
			);
			expect(holders).toHaveLength(1);
		}
	});

	it('keeps its names and colours', () => {
		expect(GRID_MAP.rules.map((r) => [r.name, r.color])).toEqual([
			['Champions', '#117733'],
			['Loyal', '#44aa99'],
			['Potential Loyalist', '#88ccee'],
			['New Customers', '#332288'],
			['Promising', '#aa4499'],
			['Need Attention', '#ddcc77'],
			['About To Sleep', '#999933'],
			['At Risk', '#cc6677'],
			["Can't Lose Them", '#882255'],
			['Hibernating', '#bbbbbb']
		]);
		expect(segmentColor(GRID_MAP, 'Others')).toBe('#cccccc');
	});
});

describe('the R rfm rules', () => {
	it('are exactly the package README rules (segment_rules_readme.csv), in order', () => {
		const csv = readFileSync(resolve(import.meta.dirname, '../reference/rfm-r/segment_rules_readme.csv'), 'utf8');
		const rows = csv
			.trim()
			.split('\n')
			.slice(1)
			.map((l) => l.split(','));
		expect(R_RFM_README.rules.map((r) => [r.name, ...r.recency, ...r.frequency, ...r.monetary].map(String))).toEqual(
			rows.map((row) => row.slice(1))
		);
		expect(R_RFM_README.fallback).toBe('Others');
		expect(R_RFM_README.levels).toBe(5);
	});

	it('assigns a few triples as worked out by hand', () => {
		expect(segmentOf(R_RFM_README, 5, 5, 5)).toBe('Champions');
		expect(segmentOf(R_RFM_README, 3, 1, 1)).toBe('About To Sleep');
		expect(segmentOf(R_RFM_README, 1, 1, 1)).toBe('Lost');
		expect(segmentOf(R_RFM_README, 2, 1, 5)).toBe('Others');
		expect(segmentOf(R_RFM_README, 1, 3, 4)).toBe("Can't Lose Them");
		expect(segmentOf(R_RFM_README, 2, 5, 5)).toBe('At Risk');
	});
});

/** The 12-segment set restated as nested decisions (an independent reading of the rules). */
function twelve(r: number, f: number, m: number, engagedDays: number | null): string {
	if (r === 5) return f >= 4 ? 'Champions' : f >= 2 ? 'Potential Loyalist' : 'New Customers';
	if (r === 4) return f >= 4 ? 'Loyal' : f >= 2 ? 'Potential Loyalist' : 'Promising';
	if (r === 3) {
		if (f >= 3 && m >= 4) return 'Losing VIPs';
		return f >= 4 ? 'Loyal' : f === 3 ? 'Need Attention' : 'About To Sleep';
	}
	if (f >= 4 && m >= 4) return "Can't Lose Them";
	if (f >= 3) return 'At Risk';
	return engagedDays !== null && engagedDays <= 30 ? 'Lost but engaged' : 'Lost';
}

describe('the 12-segment set', () => {
	it('has twelve segments, "Lost but engaged" before "Lost"', () => {
		const names = TWELVE_SEGMENTS.rules.map((r) => r.name);
		expect(new Set(names).size).toBe(12);
		expect(names).toEqual(expect.arrayContaining(['Lost but engaged', 'Losing VIPs', "Can't Lose Them", 'Lost']));
		expect(names.indexOf('Lost but engaged')).toBeLessThan(names.indexOf('Lost'));
	});

	it('assigns every triple and engagement as the independent reading says, nobody in "Others"', () => {
		for (const [r, f, m] of triples(5)) {
			for (const days of ENGAGED_DAYS) {
				expect(segmentOf(TWELVE_SEGMENTS, r, f, m, days), `${r}${f}${m} engaged ${days}`).toBe(twelve(r, f, m, days));
			}
		}
	});

	it('puts lost customers who engaged recently in "Lost but engaged", and no one else', () => {
		expect(segmentOf(TWELVE_SEGMENTS, 1, 1, 1, 10)).toBe('Lost but engaged');
		expect(segmentOf(TWELVE_SEGMENTS, 1, 1, 1)).toBe('Lost');
		expect(segmentOf(TWELVE_SEGMENTS, 5, 5, 5, 10)).toBe('Champions');
		expect(segmentOf(TWELVE_SEGMENTS, 1, 5, 5, 10)).toBe("Can't Lose Them");
	});
});

/** The six groups restated as nested decisions. */
function six(r: number, f: number, m: number): string {
	if (r === 1) return f === 1 ? 'Inactive' : 'At risk';
	if (f === 1) return r === 3 ? 'Recent' : 'Needs attention';
	return r === 3 && f === 3 && m >= 2 ? 'Champions' : 'Loyal';
}

describe('the 6 groups on a 1–3 scale', () => {
	it('covers all 27 triples as the independent reading says', () => {
		expect(SIX_GROUPS.levels).toBe(3);
		expect(SIX_GROUPS.rules.map((r) => r.name)).toEqual(['Champions', 'Loyal', 'Recent', 'Needs attention', 'At risk', 'Inactive']);
		for (const [r, f, m] of triples(3)) expect(segmentOf(SIX_GROUPS, r, f, m), `${r}${f}${m}`).toBe(six(r, f, m));
		expect(new Set(triples(3).map(([r, f, m]) => segmentOf(SIX_GROUPS, r, f, m))).size).toBe(6);
	});
});

describe('rescaleRuleSet', () => {
	it('reads a 1–3 score as the middle of its share on the 1–5 scale, keeping the partition', () => {
		const small = rescaleRuleSet(GRID_MAP, 3);
		expect(small.levels).toBe(3);
		expect(validateRuleSet(small)).toEqual([]);
		const old = [0, 1, 3, 5];
		for (const [r, f, m] of triples(3)) expect(segmentOf(small, r, f, m)).toBe(segmentOf(GRID_MAP, old[r]!, old[f]!, old[m]!));
		// Promising (R4) and Loyal (R3–4, F4–5) have no score left on R or F: they go.
		expect(small.rules.map((r) => r.name)).not.toContain('Promising');
	});

	it('spreads a 1–3 set over 1–5', () => {
		const big = rescaleRuleSet(SIX_GROUPS, 5);
		const old = [0, 1, 1, 2, 3, 3];
		for (const [r, f, m] of triples(5)) expect(segmentOf(big, r, f, m)).toBe(segmentOf(SIX_GROUPS, old[r]!, old[f]!, old[m]!));
		expect(big.rules).toHaveLength(6);
		expect(rescaleRuleSet(GRID_MAP, 5)).toBe(GRID_MAP);
	});
});

describe('segment SQL on DuckDB-WASM', () => {
	let db: WasmTestDb;
	beforeAll(async () => {
		db = await openWasmDb();
		await db.run('CREATE TABLE victims AS SELECT 1 AS id');
		await db.run(`CREATE TABLE scores AS
SELECT r, f, m, engaged_days
FROM range(1, 6) a(r), range(1, 6) b(f), range(1, 6) c(m),
	(VALUES (NULL), (-3), (0), (29), (30), (31), (400)) d(engaged_days)`);
	});
	afterAll(() => db.close());

	async function sqlSegments(set: RuleSet, levels: number) {
		return db.rows<{ r: number; f: number; m: number; engaged_days: number | null; segment: string }>(
			`SELECT CAST(r AS INTEGER) AS r, CAST(f AS INTEGER) AS f, CAST(m AS INTEGER) AS m, CAST(engaged_days AS INTEGER) AS engaged_days,
				${segmentCaseSql(set)} AS segment
			FROM scores WHERE r <= ${levels} AND f <= ${levels} AND m <= ${levels} ORDER BY ALL`
		);
	}

	const HOSTILE: RuleSet = {
		id: 'hostile',
		name: 'Hostile',
		levels: 5,
		fallback: "Others'; DROP TABLE victims; --",
		fallbackDescription: "it's",
		fallbackAction: '";',
		rules: [
			rule('O\'Brien "VIP"; --', [5, 5], [1, 5], [1, 5]),
			rule("'; DROP TABLE victims; --", [4, 4], [1, 5], [1, 5], { engagedWithinDays: 0 }),
			rule('a;b\\c $$x$$ /* y */', [3, 4], [1, 5], [1, 5], { description: "''", action: 'x\0y' }),
			rule('nul\0inside', [1, 1], [1, 5], [5, 5], { engagedWithinDays: 365 })
		]
	};

	for (const set of [...RULE_SETS, HOSTILE]) {
		it(`gives the same segment as segmentOf for every triple and engagement: ${set.id}`, async () => {
			for (const levels of new Set([set.levels, 5])) {
				const rows = await sqlSegments(set, levels);
				expect(rows).toHaveLength(levels ** 3 * ENGAGED_DAYS.length);
				const wrong = rows.filter((x) => x.segment !== segmentOf(set, x.r, x.f, x.m, x.engaged_days));
				expect(wrong).toEqual([]);
			}
		});
	}

	it('only reads engaged_days when a rule looks at engagement', () => {
		expect(segmentCaseSql(GRID_MAP)).not.toContain('engaged_days');
		expect(segmentCaseSql(TWELVE_SEGMENTS)).toContain('engaged_days IS NOT NULL AND engaged_days <= 30');
	});

	it('keeps hostile names literal, and the victims table survives', async () => {
		const rows = await sqlSegments(HOSTILE, 5);
		expect(new Set(rows.map((x) => x.segment))).toEqual(new Set([...HOSTILE.rules.map((r) => r.name), HOSTILE.fallback]));
		expect(await db.rows('SELECT id FROM victims')).toEqual([{ id: 1 }]);
	});

	it('puts everyone in the fallback when a set has no rules', async () => {
		const rows = await sqlSegments({ ...GRID_MAP, rules: [] }, 3);
		expect(new Set(rows.map((x) => x.segment))).toEqual(new Set(['Others']));
	});

	it('segmentInfoSql lists each segment once with its words, the fallback last', async () => {
		for (const set of [...RULE_SETS, HOSTILE]) {
			const rows = await db.rows<{ segment: string; description: string; action: string }>(segmentInfoSql(set));
			expect(rows).toEqual(segmentInfo(set).map(({ segment, description, action }) => ({ segment, description, action })));
			expect(rows.at(-1)!.segment).toBe(set.fallback);
		}
		const joined = await db.rows<{ segment: string; action: string }>(
			`SELECT segment, action FROM (SELECT ${segmentCaseSql(TWELVE_SEGMENTS)} AS segment FROM scores WHERE r = 1 AND f = 1 AND m = 1 AND engaged_days = 0)
			LEFT JOIN (${segmentInfoSql(TWELVE_SEGMENTS)}) AS segment_info USING (segment)`
		);
		expect(joined).toEqual([
			{ segment: 'Lost but engaged', action: TWELVE_SEGMENTS.rules.find((r) => r.name === 'Lost but engaged')!.action }
		]);
	});

	it('segmentInfo keeps the first of two rules with one name (an unvalidated set)', () => {
		const twice: RuleSet = {
			...GRID_MAP,
			rules: [rule('A', [1, 1], [1, 1], [1, 1], { description: 'first' }), rule('A', [2, 2], [1, 1], [1, 1], { description: 'second' })]
		};
		expect(segmentInfo(twice).map((s) => [s.segment, s.description])).toEqual([
			['A', 'first'],
			['Others', GRID_MAP.fallbackDescription]
		]);
	});
});
