/**
 * Rule sets as JSON files merchants can export, edit, share and import, and the one validator
 * every rule set passes before it is used (imported, stored, or sent to the engine).
 *
 * Errors are written for merchants: they name the rule by number and name and say what is wrong
 * with which value, e.g. `Rule 3 "At Risk": recency range 0–2 is outside 1–5`.
 */
import type { Metric, RuleSet, SegmentRule } from './types';

/** Marks a file as an RFM Studio rule set. */
export const RULE_SET_FORMAT = 'rfm-studio-rule-set';
/** The file version this code writes; it reads this version and older. */
export const RULE_SET_VERSION = 1;

export const RULE_SET_LIMITS = {
	rules: 50,
	/** Segment and rule set names. */
	name: 80,
	/** Descriptions and actions. */
	text: 600,
	id: 64,
	/** Ten years: the largest `engagedWithinDays`. */
	engagedWithinDays: 3650
} as const;

const LEVELS = [3, 4, 5];
const METRIC_WORDS: Record<Metric, string> = { recency: 'recency', frequency: 'frequency', monetary: 'monetary' };
const RANGE_KEYS: readonly Metric[] = ['recency', 'frequency', 'monetary'];
const ID_PATTERN = /^[A-Za-z0-9_-]+$/;
const COLOR_PATTERN = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
// Names end up in CSV cells, file names and labels: tabs and line breaks there only cause trouble.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value for a message: text in quotes, anything else as JSON; shortened so a huge value does not flood the screen. */
function quote(v: unknown): string {
	const short = (t: string) => (t.length > 40 ? `${t.slice(0, 39)}…` : t);
	return typeof v === 'string' ? `"${short(v)}"` : short(JSON.stringify(v) ?? String(v));
}

/**
 * Checks a rule set's shape and content; reads `value` defensively, so it can be anything
 * (parsed JSON, a structured clone from the page). Returns the set with defaults filled in
 * (empty descriptions) when there are no errors.
 */
function check(value: unknown): { set: RuleSet | null; errors: string[] } {
	const errors: string[] = [];
	if (!isObject(value)) return { set: null, errors: ['A rule set must be an object with a name, levels and rules'] };

	const text = (v: unknown, what: string, max: number, required: boolean): string => {
		if (v === undefined || v === null) {
			if (required) errors.push(`${what} is missing`);
			return '';
		}
		if (typeof v !== 'string') {
			errors.push(`${what} must be text`);
			return '';
		}
		if (required && v.trim() === '') errors.push(`${what} is empty`);
		if (v.length > max) errors.push(`${what} is ${v.length} characters long; at most ${max} are allowed`);
		return v;
	};
	const label = (v: unknown, what: string): string => {
		const s = text(v, what, RULE_SET_LIMITS.name, true);
		if (CONTROL.test(s)) errors.push(`${what} contains a line break, tab or other control character`);
		return s;
	};

	let id = '';
	if (typeof value.id === 'string' && value.id !== '') {
		id = value.id;
		if (id.length > RULE_SET_LIMITS.id || !ID_PATTERN.test(id))
			errors.push(`The rule set id ${quote(id)} may only use letters, digits, "-" and "_" (at most ${RULE_SET_LIMITS.id})`);
	} else {
		errors.push('The rule set id is missing');
	}
	const name = label(value.name, 'The rule set name');

	let levels = 5;
	if (typeof value.levels === 'number' && LEVELS.includes(value.levels)) {
		levels = value.levels;
	} else {
		errors.push(`The number of score levels must be 3, 4 or 5${value.levels === undefined ? '' : `, not ${quote(value.levels)}`}`);
	}

	const fallback = label(value.fallback, 'The name of the segment for unmatched customers ("fallback")');
	const fallbackDescription = text(value.fallbackDescription, 'The fallback description', RULE_SET_LIMITS.text, false);
	const fallbackAction = text(value.fallbackAction, 'The fallback action', RULE_SET_LIMITS.text, false);

	const rules: SegmentRule[] = [];
	if (!Array.isArray(value.rules)) {
		errors.push('The rule set has no list of rules ("rules")');
	} else if (value.rules.length === 0) {
		errors.push('The rule set has no rules: add at least one');
	} else if (value.rules.length > RULE_SET_LIMITS.rules) {
		errors.push(`The rule set has ${value.rules.length} rules; at most ${RULE_SET_LIMITS.rules} are allowed`);
	} else {
		value.rules.forEach((raw: unknown, i) => {
			const rule = checkRule(raw, i + 1, levels, errors, label, text);
			if (rule) rules.push(rule);
		});
	}

	// Segment names are what the matrix, the table and exports group by: two rules with one name
	// (even differing only in case or spaces) would be merged there.
	const key = (s: string) => s.trim().toLowerCase();
	const firstWith = new Map<string, number>();
	rules.forEach((r, i) => {
		if (r.name.trim() === '') return;
		const first = firstWith.get(key(r.name));
		if (first === undefined) firstWith.set(key(r.name), i + 1);
		else errors.push(`Rule ${i + 1} ${quote(r.name)} has the same name as rule ${first}: each segment needs its own name`);
	});
	const clash = firstWith.get(key(fallback));
	if (fallback.trim() !== '' && clash !== undefined)
		errors.push(`The fallback segment ${quote(fallback)} has the same name as rule ${clash}: give it a name of its own`);

	if (errors.length > 0) return { set: null, errors };
	return { set: { id, name, levels, rules, fallback, fallbackDescription, fallbackAction }, errors };
}

function checkRule(
	raw: unknown,
	n: number,
	levels: number,
	errors: string[],
	label: (v: unknown, what: string) => string,
	text: (v: unknown, what: string, max: number, required: boolean) => string
): SegmentRule | null {
	if (!isObject(raw)) {
		errors.push(`Rule ${n} must be an object with a name, ranges and a colour`);
		return null;
	}
	const who = ruleLabel(n, raw.name);
	const name = label(raw.name, `${who}: name`);

	const ranges = {} as Record<Metric, [number, number]>;
	for (const metric of RANGE_KEYS) {
		const v = raw[metric];
		const word = METRIC_WORDS[metric];
		if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number' && Number.isInteger(x))) {
			errors.push(`${who}: ${word} range must be two whole scores, like [1, ${levels}]${v === undefined ? '' : `, not ${quote(v)}`}`);
			ranges[metric] = [1, levels];
			continue;
		}
		const range = v as [number, number];
		const problem = rangeProblem(who, metric, range, levels);
		if (problem) errors.push(problem);
		ranges[metric] = range;
	}

	let color = '';
	if (typeof raw.color !== 'string') errors.push(`${who}: colour is missing (a hex colour like #d73027)`);
	else if (!COLOR_PATTERN.test(raw.color)) errors.push(`${who}: colour ${quote(raw.color)} is not a hex colour like #d73027 or #f00`);
	else color = raw.color;

	const description = text(raw.description, `${who}: description`, RULE_SET_LIMITS.text, false);
	const action = text(raw.action, `${who}: action`, RULE_SET_LIMITS.text, false);

	const rule: SegmentRule = { name, ...ranges, color, description, action };
	const days = raw.engagedWithinDays;
	if (days !== undefined && days !== null) {
		const max = RULE_SET_LIMITS.engagedWithinDays;
		if (typeof days !== 'number' || !Number.isInteger(days) || days < 0 || days > max)
			errors.push(`${who}: "engaged within" must be a whole number of days from 0 to ${max}, not ${quote(days)}`);
		else rule.engagedWithinDays = days;
	}
	return rule;
}

/** The name of rule number `n` (from 1) in messages: `Rule 3 "At Risk"`. */
export function ruleLabel(n: number, name: unknown): string {
	return typeof name === 'string' && name.trim() !== '' ? `Rule ${n} ${quote(name)}` : `Rule ${n}`;
}

/** What is wrong with one score range on a scale of 1..`levels`, or null when nothing is. */
export function rangeProblem(who: string, metric: Metric, [lo, hi]: [number, number], levels: number): string | null {
	const word = METRIC_WORDS[metric];
	if (lo > hi) return `${who}: ${word} range ${lo}–${hi} runs backwards (${lo} is above ${hi})`;
	if (lo < 1 || hi > levels) return `${who}: ${word} range ${lo}–${hi} is outside 1–${levels}`;
	return null;
}

/**
 * What is wrong with a rule set, one merchant-readable sentence per problem; empty when it can be
 * used. The engine calls this before applying a set it received from the page.
 */
export function validateRuleSet(set: RuleSet): string[] {
	return check(set).errors;
}

/** A rule set as a pretty JSON file, with a format marker and version. */
export function serializeRuleSet(set: RuleSet): string {
	const file = {
		format: RULE_SET_FORMAT,
		version: RULE_SET_VERSION,
		id: set.id,
		name: set.name,
		levels: set.levels,
		fallback: set.fallback,
		fallbackDescription: set.fallbackDescription,
		fallbackAction: set.fallbackAction,
		rules: set.rules.map((r) => ({
			name: r.name,
			recency: r.recency,
			frequency: r.frequency,
			monetary: r.monetary,
			...(r.engagedWithinDays === undefined || r.engagedWithinDays === null ? {} : { engagedWithinDays: r.engagedWithinDays }),
			color: r.color,
			description: r.description,
			action: r.action
		}))
	};
	// Ranges on one line (`"recency": [1, 5]`) read much better. JSON.stringify escapes line breaks
	// inside strings, so a raw newline only ever appears between tokens and this cannot touch text.
	return (
		JSON.stringify(file, null, '\t').replace(
			/\[\n\s*(-?[\d.e+-]+),\n\s*(-?[\d.e+-]+)\n\s*\]/g,
			(_, a: string, b: string) => `[${a}, ${b}]`
		) + '\n'
	);
}

export type ParsedRuleSet = { ok: true; set: RuleSet } | { ok: false; errors: string[] };

/**
 * Reads a rule set file. Files without a format marker are accepted when their content is a
 * valid rule set (hand-written files); files of another format or a newer version are refused.
 */
export function parseRuleSet(text: string): ParsedRuleSet {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (e) {
		const detail = e instanceof Error ? e.message : String(e);
		return { ok: false, errors: [`This file is not valid JSON (${detail})`] };
	}
	if (!isObject(value)) return { ok: false, errors: ['This file is not a rule set: it should hold one JSON object'] };
	if (value.format !== undefined && value.format !== RULE_SET_FORMAT)
		return { ok: false, errors: [`This file is not an RFM Studio rule set (its format is ${quote(value.format)})`] };
	if (value.version !== undefined) {
		if (typeof value.version !== 'number' || !Number.isInteger(value.version) || value.version < 1)
			return { ok: false, errors: [`The rule set file version ${quote(value.version)} is not a version number`] };
		if (value.version > RULE_SET_VERSION)
			return {
				ok: false,
				errors: [`This rule set was saved by a newer version of RFM Studio (file version ${value.version}); reload the page to update`]
			};
	}
	// A hand-written file may leave the id out: derive one from the name.
	if (value.id === undefined && typeof value.name === 'string') value = { ...value, id: ruleSetIdFrom(value.name) };
	const { set, errors } = check(value);
	return set ? { ok: true, set } : { ok: false, errors };
}

/**
 * An id for a rule set called `name` (letters, digits and dashes), different from every id in
 * `taken`: "Spring sale VIPs" → `spring-sale-vips`, then `spring-sale-vips-2`…
 */
export function ruleSetIdFrom(name: string, taken: Iterable<string> = []): string {
	const base =
		name
			.normalize('NFKD')
			.replace(/[\u0300-\u036f]/g, '')
			.toLowerCase()
			.replace(/[^a-z0-9]+/g, '-')
			.replace(/^-+|-+$/g, '')
			.slice(0, 40)
			.replace(/-+$/, '') || 'rules';
	const used = new Set(taken);
	if (!used.has(base)) return base;
	for (let i = 2; ; i++) if (!used.has(`${base}-${i}`)) return `${base}-${i}`;
}
