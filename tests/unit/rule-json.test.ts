import { describe, expect, it } from 'vitest';
import { parseRuleSet, RULE_SET_FORMAT, ruleSetIdFrom, serializeRuleSet, validateRuleSet } from '../../src/lib/rfm/rule-json';
import { GRID_MAP, RULE_SETS, SIX_GROUPS, TWELVE_SEGMENTS } from '../../src/lib/rfm/segments';
import type { RuleSet } from '../../src/lib/rfm/types';

/** A rule set as a JSON object, to break in one place per test. */
function file(set: RuleSet = SIX_GROUPS): Record<string, unknown> & { rules: Record<string, unknown>[] } {
	return JSON.parse(serializeRuleSet(set));
}

function errorsOf(value: unknown): string[] {
	const parsed = parseRuleSet(JSON.stringify(value));
	return parsed.ok ? [] : parsed.errors;
}

describe('serializeRuleSet and parseRuleSet', () => {
	for (const set of RULE_SETS) {
		it(`round-trips ${set.id}`, () => {
			const parsed = parseRuleSet(serializeRuleSet(set));
			expect(parsed).toEqual({ ok: true, set });
		});
	}

	it('writes pretty JSON with a format marker, a version and ranges on one line', () => {
		const text = serializeRuleSet(TWELVE_SEGMENTS);
		expect(text).toMatch(/^\{\n\t"format": "rfm-studio-rule-set",\n\t"version": 1,\n\t"id": "twelve",/);
		expect(text).toContain('\t\t\t"recency": [5, 5],\n');
		expect(text).toContain('"engagedWithinDays": 30,');
		expect(text.match(/engagedWithinDays/g)).toHaveLength(1);
		expect(text.endsWith('}\n')).toBe(true);
	});

	it('keeps hostile and odd text exactly, including text that looks like a range', () => {
		const set: RuleSet = {
			...SIX_GROUPS,
			id: 'odd_1',
			name: '"Quoted"; DROP TABLE x; -- \\ ü 🛒',
			fallback: "It's [1, 2]",
			fallbackDescription: '[\n1,\n2\n]',
			rules: SIX_GROUPS.rules.map((r, i) => ({ ...r, name: `${r.name} '${i}'; --`, description: `line 1\nline 2\t"${i}"`, action: '\\n' }))
		};
		expect(parseRuleSet(serializeRuleSet(set))).toEqual({ ok: true, set });
	});

	it('accepts a hand-written file without format, version, id or words', () => {
		const text = JSON.stringify({
			name: 'Spring VIPs',
			levels: 3,
			fallback: 'Everyone else',
			rules: [{ name: 'VIP', recency: [3, 3], frequency: [2, 3], monetary: [3, 3], color: '#F00' }]
		});
		const parsed = parseRuleSet(text);
		expect(parsed).toEqual({
			ok: true,
			set: {
				id: 'spring-vips',
				name: 'Spring VIPs',
				levels: 3,
				fallback: 'Everyone else',
				fallbackDescription: '',
				fallbackAction: '',
				rules: [{ name: 'VIP', recency: [3, 3], frequency: [2, 3], monetary: [3, 3], color: '#F00', description: '', action: '' }]
			}
		});
	});

	it('accepts engagedWithinDays null as "no engagement condition"', () => {
		const f = file();
		f.rules[0]!.engagedWithinDays = null;
		const parsed = parseRuleSet(JSON.stringify(f));
		expect(parsed.ok && 'engagedWithinDays' in parsed.set.rules[0]!).toBe(false);
	});
});

describe('errors a merchant can act on', () => {
	const cases: [string, (f: ReturnType<typeof file>) => unknown, string[]][] = [
		['range outside the scale', (f) => ((f.rules[4]!.recency = [0, 2]), f), ['Rule 5 "At risk": recency range 0–2 is outside 1–3']],
		['range above the scale', (f) => ((f.rules[0]!.monetary = [2, 4]), f), ['Rule 1 "Champions": monetary range 2–4 is outside 1–3']],
		[
			'backwards range',
			(f) => ((f.rules[1]!.frequency = [3, 2]), f),
			['Rule 2 "Loyal": frequency range 3–2 runs backwards (3 is above 2)']
		],
		[
			'range not two numbers',
			(f) => ((f.rules[1]!.frequency = [1]), f),
			['Rule 2 "Loyal": frequency range must be two whole scores, like [1, 3], not [1]']
		],
		[
			'range with a fraction',
			(f) => ((f.rules[1]!.frequency = [1, 2.5]), f),
			['Rule 2 "Loyal": frequency range must be two whole scores, like [1, 3], not [1,2.5]']
		],
		[
			'range as text',
			(f) => ((f.rules[1]!.frequency = ['1', '3']), f),
			['Rule 2 "Loyal": frequency range must be two whole scores, like [1, 3], not ["1","3"]']
		],
		['missing range', (f) => (delete f.rules[1]!.frequency, f), ['Rule 2 "Loyal": frequency range must be two whole scores, like [1, 3]']],
		['missing name', (f) => (delete f.rules[2]!.name, f), ['Rule 3: name is missing']],
		['empty name', (f) => ((f.rules[2]!.name = '  '), f), ['Rule 3: name is empty']],
		['name not text', (f) => ((f.rules[2]!.name = 7), f), ['Rule 3: name must be text']],
		[
			'name with a line break',
			(f) => ((f.rules[2]!.name = 'A\nB'), f),
			['Rule 3 "A\nB": name contains a line break, tab or other control character']
		],
		[
			'bad colour',
			(f) => ((f.rules[3]!.color = 'red'), f),
			['Rule 4 "Needs attention": colour "red" is not a hex colour like #d73027 or #f00']
		],
		[
			'colour with 4 digits',
			(f) => ((f.rules[3]!.color = '#abcd'), f),
			['Rule 4 "Needs attention": colour "#abcd" is not a hex colour like #d73027 or #f00']
		],
		['missing colour', (f) => (delete f.rules[3]!.color, f), ['Rule 4 "Needs attention": colour is missing (a hex colour like #d73027)']],
		[
			'duplicate names',
			(f) => ((f.rules[3]!.name = 'loyal '), f),
			['Rule 4 "loyal " has the same name as rule 2: each segment needs its own name']
		],
		[
			'fallback named like a rule',
			(f) => ((f.fallback = 'Inactive'), f),
			['The fallback segment "Inactive" has the same name as rule 6: give it a name of its own']
		],
		['missing fallback', (f) => (delete f.fallback, f), ['The name of the segment for unmatched customers ("fallback") is missing']],
		['missing set name', (f) => (delete f.name, f), ['The rule set name is missing']],
		['bad levels', (f) => ((f.levels = 7), f), ['The number of score levels must be 3, 4 or 5, not 7']],
		['missing levels', (f) => (delete f.levels, f), ['The number of score levels must be 3, 4 or 5']],
		['bad id', (f) => ((f.id = 'a b/c'), f), ['The rule set id "a b/c" may only use letters, digits, "-" and "_" (at most 64)']],
		['no rules', (f) => ((f.rules = []), f), ['The rule set has no rules: add at least one']],
		['rules not a list', (f) => ({ ...f, rules: {} }), ['The rule set has no list of rules ("rules")']],
		[
			'too many rules',
			(f) => ((f.rules = Array.from({ length: 51 }, (_, i) => ({ ...f.rules[0], name: `R${i}` }))), f),
			['The rule set has 51 rules; at most 50 are allowed']
		],
		['rule not an object', (f) => ((f.rules[1] = 'Loyal' as never), f), ['Rule 2 must be an object with a name, ranges and a colour']],
		[
			'name too long',
			(f) => ((f.rules[0]!.name = 'x'.repeat(81)), f),
			[`Rule 1 "${'x'.repeat(39)}…": name is 81 characters long; at most 80 are allowed`]
		],
		[
			'description too long',
			(f) => ((f.rules[0]!.description = 'x'.repeat(601)), f),
			['Rule 1 "Champions": description is 601 characters long; at most 600 are allowed']
		],
		['action not text', (f) => ((f.rules[0]!.action = ['call']), f), ['Rule 1 "Champions": action must be text']],
		[
			'fallback action too long',
			(f) => ((f.fallbackAction = 'x'.repeat(700)), f),
			['The fallback action is 700 characters long; at most 600 are allowed']
		],
		[
			'negative engagement days',
			(f) => ((f.rules[5]!.engagedWithinDays = -1), f),
			['Rule 6 "Inactive": "engaged within" must be a whole number of days from 0 to 3650, not -1']
		],
		[
			'engagement days as text',
			(f) => ((f.rules[5]!.engagedWithinDays = '30'), f),
			['Rule 6 "Inactive": "engaged within" must be a whole number of days from 0 to 3650, not "30"']
		]
	];
	for (const [what, change, expected] of cases) {
		it(what, () => {
			expect(errorsOf(change(file()))).toEqual(expected);
		});
	}

	it('lists every problem, not only the first', () => {
		const f = file();
		f.rules[0]!.color = 'blue';
		f.rules[1]!.recency = [4, 5];
		expect(errorsOf(f)).toEqual([
			'Rule 1 "Champions": colour "blue" is not a hex colour like #d73027 or #f00',
			'Rule 2 "Loyal": recency range 4–5 is outside 1–3'
		]);
	});

	it('refuses what is not a rule set file', () => {
		expect(parseRuleSet('{"name": ')).toMatchObject({ ok: false, errors: [expect.stringMatching(/^This file is not valid JSON \(.+\)$/)] });
		expect(parseRuleSet('[1, 2]')).toEqual({ ok: false, errors: ['This file is not a rule set: it should hold one JSON object'] });
		expect(parseRuleSet(JSON.stringify({ ...file(), format: 'other-app' }))).toEqual({
			ok: false,
			errors: ['This file is not an RFM Studio rule set (its format is "other-app")']
		});
		expect(parseRuleSet(JSON.stringify({ ...file(), version: 2 }))).toEqual({
			ok: false,
			errors: ['This rule set was saved by a newer version of RFM Studio (file version 2); reload the page to update']
		});
		expect(parseRuleSet(JSON.stringify({ ...file(), version: 'one' }))).toEqual({
			ok: false,
			errors: ['The rule set file version "one" is not a version number']
		});
		expect(file().format).toBe(RULE_SET_FORMAT);
	});
});

describe('validateRuleSet', () => {
	it('passes the presets and finds the same problems as parsing', () => {
		for (const set of RULE_SETS) expect(validateRuleSet(set)).toEqual([]);
		const broken: RuleSet = { ...GRID_MAP, rules: [{ ...GRID_MAP.rules[0]!, recency: [0, 2] }] };
		expect(validateRuleSet(broken)).toEqual(['Rule 1 "Champions": recency range 0–2 is outside 1–5']);
		expect(errorsOf(JSON.parse(serializeRuleSet(broken)))).toEqual(validateRuleSet(broken));
	});

	it('survives whatever the page sends', () => {
		expect(validateRuleSet(null as never)).toEqual(['A rule set must be an object with a name, levels and rules']);
		expect(validateRuleSet({ rules: [null] } as never)).toEqual([
			'The rule set id is missing',
			'The rule set name is missing',
			'The number of score levels must be 3, 4 or 5',
			'The name of the segment for unmatched customers ("fallback") is missing',
			'Rule 1 must be an object with a name, ranges and a colour'
		]);
	});
});

describe('ruleSetIdFrom', () => {
	it('makes a plain id from a name, different from those taken', () => {
		expect(ruleSetIdFrom('Spring sale: VIPs!')).toBe('spring-sale-vips');
		expect(ruleSetIdFrom('Café Crème')).toBe('cafe-creme');
		expect(ruleSetIdFrom('🛒')).toBe('rules');
		expect(ruleSetIdFrom('Grid', ['grid', 'grid-2'])).toBe('grid-3');
		expect(ruleSetIdFrom('x'.repeat(100))).toHaveLength(40);
	});
});
