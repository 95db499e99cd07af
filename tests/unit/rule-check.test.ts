import { describe, expect, it } from 'vitest';
import { cellLabel, checkRules, formatScores } from '../../src/lib/rfm/rule-check';
import { GRID_MAP, R_RFM_README, RULE_SETS, segmentOf, SIX_GROUPS, TWELVE_SEGMENTS } from '../../src/lib/rfm/segments';
import type { RuleSet, SegmentRule } from '../../src/lib/rfm/types';

type Range = [number, number];
const ALL: Range = [1, 5];

function rule(name: string, recency: Range, frequency: Range = ALL, monetary: Range = ALL, engagedWithinDays?: number): SegmentRule {
	return {
		name,
		recency,
		frequency,
		monetary,
		color: '#000000',
		description: '',
		action: '',
		...(engagedWithinDays === undefined ? {} : { engagedWithinDays })
	};
}

function set(rules: SegmentRule[], levels = 5): RuleSet {
	return { id: 'test', name: 'Test', levels, rules, fallback: 'Others', fallbackDescription: '', fallbackAction: '' };
}

describe('formatScores and cellLabel', () => {
	it('write score lists as runs', () => {
		expect(formatScores([5, 1, 2, 3])).toBe('1–3, 5');
		expect(formatScores([2])).toBe('2');
		expect(formatScores([1, 3, 5])).toBe('1, 3, 5');
		expect(formatScores([])).toBe('');
		expect(cellLabel({ r: 2, f: 3, m: [1, 2], partial: true })).toBe('R2 F3 (M1–2)');
		expect(cellLabel({ r: 2, f: 3, m: [1, 2, 3, 4, 5], partial: false })).toBe('R2 F3');
	});
});

describe('checkRules on the presets', () => {
	for (const preset of [GRID_MAP, TWELVE_SEGMENTS, SIX_GROUPS]) {
		it(`finds nothing wrong with ${preset.id}`, () => {
			const check = checkRules(preset);
			expect(check.levels).toBe(preset.levels);
			expect(check.messages).toEqual([]);
			expect(check.gaps).toEqual([]);
			expect(check.shadowed).toEqual([]);
			expect(check.rangeIssues).toEqual([]);
			expect(check.coverage.every((c) => c.reachedTriples > 0)).toBe(true);
		});
	}

	it('finds exactly the R rfm triples that end in "Others", as segmentOf does', () => {
		const check = checkRules(R_RFM_README);
		const others: string[] = [];
		for (let r = 1; r <= 5; r++)
			for (let f = 1; f <= 5; f++)
				for (let m = 1; m <= 5; m++) if (segmentOf(R_RFM_README, r, f, m) === 'Others') others.push(`${r}${f}${m}`);
		expect(check.gaps.flatMap((g) => g.m.map((m) => `${g.r}${g.f}${m}`)).sort()).toEqual(others.sort());
		expect(check.gapTriples).toBe(others.length);
		// Worked out by hand: R2 F1 with M5 is too valuable for "About To Sleep" and too old for the others.
		expect(check.gaps).toContainEqual({ r: 2, f: 1, m: [5], partial: true, engagedOnly: [] });
		expect(check.messages).toContain('R2 F1 (M5): no rule matches, so these customers fall into "Others"');
	});

	it('reports every range of a 1–5 set checked on a 1–3 scale that reaches past 3', () => {
		const check = checkRules(GRID_MAP, 3);
		expect(check.rangeIssues.find((i) => i.name === 'Promising')).toEqual({
			index: 4,
			name: 'Promising',
			metric: 'recency',
			range: [4, 4],
			matchesNothing: true,
			message: 'Rule 5 "Promising": recency range 4–4 is outside 1–3'
		});
		expect(check.rangeIssues.find((i) => i.name === 'Potential Loyalist' && i.metric === 'recency')!.matchesNothing).toBe(true);
		expect(check.rangeIssues.find((i) => i.name === 'Loyal' && i.metric === 'recency')).toMatchObject({
			range: [3, 4],
			matchesNothing: false
		});
	});
});

describe('gaps', () => {
	it('groups unreached triples by R×F cell with their M scores', () => {
		const check = checkRules(set([rule('Most', ALL, ALL, [1, 4]), rule('Old', [1, 2], ALL, [5, 5])]));
		expect(check.gapTriples).toBe(3 * 5);
		expect(check.gaps).toHaveLength(15);
		expect(check.gaps[0]).toEqual({ r: 3, f: 1, m: [5], partial: true, engagedOnly: [] });
		expect(check.gaps.every((g) => g.r >= 3 && g.m.length === 1 && g.m[0] === 5)).toBe(true);
		expect(check.messages[0]).toBe('R3 F1 (M5): no rule matches, so these customers fall into "Others"');
	});

	it('says "whole cell" by leaving M out when every M score is missing', () => {
		const check = checkRules(set([rule('Not R1', [2, 3], [1, 3], [1, 3])], 3));
		expect(check.gaps).toEqual([1, 2, 3].map((f) => ({ r: 1, f, m: [1, 2, 3], partial: false, engagedOnly: [] })));
		expect(check.messages).toEqual([1, 2, 3].map((f) => `R1 F${f}: no rule matches, so these customers fall into "Others"`));
	});

	it('counts cells reached only by an engagement rule as gaps for customers who did not engage', () => {
		const check = checkRules(set([rule('Engaged', [1, 1], [1, 1], [1, 3], 30), rule('Rest', [2, 5]), rule('R1 F2+', [1, 1], [2, 5])]));
		expect(check.gaps).toEqual([{ r: 1, f: 1, m: [1, 2, 3, 4, 5], partial: false, engagedOnly: [1, 2, 3] }]);
		expect(check.messages).toEqual([
			'R1 F1 (M4–5): no rule matches, so these customers fall into "Others"',
			'R1 F1 (M1–3): only customers who engaged recently get a segment; the others fall into "Others"'
		]);
	});
});

describe('shadowed rules', () => {
	it('finds a rule whose every triple an earlier rule takes', () => {
		const check = checkRules(set([rule('Everyone', ALL), rule('Best', [5, 5], [5, 5], [5, 5])]));
		expect(check.shadowed).toEqual([
			{ index: 1, name: 'Best', by: [0], message: 'Rule 2 "Best" never matches: rule 1 "Everyone" comes first and takes all its scores' }
		]);
		expect(check.coverage[1]).toMatchObject({ triples: 1, reachedTriples: 0, reached: [] });
	});

	it('names every earlier rule that takes part of it', () => {
		const check = checkRules(set([rule('Old', [1, 3]), rule('New', [4, 5]), rule('Middle', [3, 4], [1, 1], [1, 1]), rule('Late', [2, 2])]));
		expect(check.shadowed.map((s) => [s.name, s.by])).toEqual([
			['Middle', [0, 1]],
			['Late', [0]]
		]);
		expect(check.shadowed[0]!.message).toBe(
			'Rule 3 "Middle" never matches: rule 1 "Old" and rule 2 "New" come first and take all its scores'
		);
	});

	it('does not call a rule shadowed when earlier rules take only part of it', () => {
		const check = checkRules(set([rule('Top F', ALL, [5, 5]), rule('Recent', [5, 5])]));
		expect(check.shadowed).toEqual([]);
		expect(check.coverage[1]!.reachedTriples).toBe(20);
	});

	it('an engagement rule does not shadow the rules after it', () => {
		const check = checkRules(set([rule('Engaged', ALL, ALL, ALL, 30), rule('Everyone', ALL)]));
		expect(check.shadowed).toEqual([]);
		expect(check.gaps).toEqual([]);
		expect(check.coverage.map((c) => [c.engagedOnly, c.reachedTriples])).toEqual([
			[true, 125],
			[false, 125]
		]);
	});

	it('an engagement rule is not shadowed because later rules cover its triples too', () => {
		const check = checkRules(set([rule('Lost but engaged', [1, 1], [1, 1], ALL, 30), rule('Lost', [1, 1], [1, 1]), rule('Rest', ALL)]));
		expect(check.shadowed).toEqual([]);
	});

	it('an engagement rule after a plain rule with the same triples is shadowed', () => {
		const check = checkRules(set([rule('Lost', [1, 1], [1, 1]), rule('Lost but engaged', [1, 1], [1, 1], ALL, 30), rule('Rest', ALL)]));
		expect(check.shadowed.map((s) => [s.name, s.by])).toEqual([['Lost but engaged', [0]]]);
	});

	it('an engagement rule with more days shadows a later one with fewer days, not the other way round', () => {
		const wide = checkRules(set([rule('60 days', ALL, ALL, ALL, 60), rule('30 days', ALL, ALL, ALL, 30), rule('Everyone', ALL)]));
		expect(wide.shadowed.map((s) => s.name)).toEqual(['30 days']);
		const narrow = checkRules(set([rule('30 days', ALL, ALL, ALL, 30), rule('60 days', ALL, ALL, ALL, 60), rule('Everyone', ALL)]));
		expect(narrow.shadowed).toEqual([]);
		const same = checkRules(set([rule('A', ALL, ALL, ALL, 30), rule('B', ALL, ALL, ALL, 30), rule('Everyone', ALL)]));
		expect(same.shadowed.map((s) => s.name)).toEqual(['B']);
	});
});

describe('range issues', () => {
	it('flags ranges outside the scale, partly or wholly, and backwards ranges, without calling them shadowed', () => {
		const check = checkRules(
			set(
				[
					rule('Everyone', [1, 3], [1, 3], [1, 3]),
					rule('Too high', [4, 5], [1, 3], [1, 3]),
					rule('Partly', [1, 3], [2, 4], [1, 3]),
					rule('Backwards', [1, 3], [1, 3], [3, 2]),
					rule('Zero', [0, 2], [1, 3], [1, 3])
				],
				3
			)
		);
		expect(check.rangeIssues.map((i) => [i.name, i.metric, i.matchesNothing, i.message])).toEqual([
			['Too high', 'recency', true, 'Rule 2 "Too high": recency range 4–5 is outside 1–3'],
			['Partly', 'frequency', false, 'Rule 3 "Partly": frequency range 2–4 is outside 1–3'],
			['Backwards', 'monetary', true, 'Rule 4 "Backwards": monetary range 3–2 runs backwards (3 is above 2)'],
			['Zero', 'recency', false, 'Rule 5 "Zero": recency range 0–2 is outside 1–3']
		]);
		// Rules that reach no score at all are range issues; rules with scores all taken are shadowed.
		expect(check.shadowed.map((s) => s.name)).toEqual(['Partly', 'Zero']);
		expect(check.messages.slice(0, 4)).toEqual(check.rangeIssues.map((i) => i.message));
	});
});

describe('coverage per rule', () => {
	it('lists the R×F cells inside each rule, partial when only some M scores are', () => {
		const check = checkRules(TWELVE_SEGMENTS);
		const cov = (name: string) => check.coverage.find((c) => c.name === name)!;
		expect(cov('Champions').cells).toEqual([
			{ r: 5, f: 4, m: [1, 2, 3, 4, 5], partial: false },
			{ r: 5, f: 5, m: [1, 2, 3, 4, 5], partial: false }
		]);
		expect(cov('Losing VIPs').cells).toEqual([3, 4, 5].map((f) => ({ r: 3, f, m: [4, 5], partial: true })));
		// Loyal's ranges hold R3 F4–5 whole, but Losing VIPs takes their M4–5 first.
		expect(cov('Loyal').cells.filter((c) => c.r === 3)).toEqual([4, 5].map((f) => ({ r: 3, f, m: [1, 2, 3, 4, 5], partial: false })));
		expect(cov('Loyal').reached.filter((c) => c.r === 3)).toEqual([4, 5].map((f) => ({ r: 3, f, m: [1, 2, 3], partial: true })));
		expect(cov('Loyal').reachedTriples).toBe(2 * 5 + 2 * 3);
		expect(cov('Lost but engaged')).toMatchObject({ engagedOnly: true, triples: 20, reachedTriples: 20 });
		expect(cov('Lost').reachedTriples).toBe(20);
	});

	it('every triple of a partition is reached by exactly one plain rule', () => {
		for (const preset of RULE_SETS.filter((s) => s.id !== 'r-rfm')) {
			const check = checkRules(preset);
			const plain = check.coverage.filter((c) => !c.engagedOnly).reduce((s, c) => s + c.reachedTriples, 0);
			expect(plain, preset.id).toBe(preset.levels ** 3);
		}
	});
});
