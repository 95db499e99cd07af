/**
 * Segment rule sets as data, and the SQL that applies them (first matching rule wins).
 */
import { str } from '../sql';
import type { RuleSet, SegmentRule } from './types';

const ANY: [number, number] = [1, 5];

function rf(name: string, recency: [number, number], frequency: [number, number], color: string): SegmentRule {
	return { name, recency, frequency, monetary: ANY, color };
}

/**
 * The default: the R×F grid map, a full partition of the 5×5 recency × frequency matrix
 * (monetary does not decide the segment; it still ranks customers within it).
 */
export const GRID_MAP: RuleSet = {
	id: 'grid',
	name: 'R×F grid map',
	fallback: 'Others',
	rules: [
		rf('Champions', [5, 5], [4, 5], '#1b7837'),
		rf('Loyal', [3, 4], [4, 5], '#5aae61'),
		rf('Potential Loyalist', [4, 5], [2, 3], '#a6dba0'),
		rf('New Customers', [5, 5], [1, 1], '#4393c3'),
		rf('Promising', [4, 4], [1, 1], '#92c5de'),
		rf('Need Attention', [3, 3], [3, 3], '#fee08b'),
		rf('About To Sleep', [3, 3], [1, 2], '#fdae61'),
		rf('At Risk', [1, 2], [3, 4], '#f46d43'),
		rf("Can't Lose Them", [1, 2], [5, 5], '#d73027'),
		rf('Hibernating', [1, 2], [1, 2], '#9e9e9e')
	]
};

/** The R package `rfm`'s README rule list (segment_rules_readme.csv), with "Others" for the rest. */
export const R_RFM_README: RuleSet = {
	id: 'r-rfm',
	name: 'R rfm package rules',
	fallback: 'Others',
	rules: [
		{ name: 'Champions', recency: [5, 5], frequency: [5, 5], monetary: [5, 5], color: '#1b7837' },
		{ name: 'Potential Loyalist', recency: [3, 5], frequency: [3, 5], monetary: [2, 5], color: '#a6dba0' },
		{ name: 'Loyal Customers', recency: [2, 4], frequency: [2, 4], monetary: [2, 4], color: '#5aae61' },
		{ name: 'Promising', recency: [3, 4], frequency: [1, 3], monetary: [3, 5], color: '#92c5de' },
		{ name: 'New Customers', recency: [4, 5], frequency: [1, 3], monetary: [1, 5], color: '#4393c3' },
		{ name: "Can't Lose Them", recency: [1, 2], frequency: [3, 4], monetary: [4, 5], color: '#d73027' },
		{ name: 'At Risk', recency: [1, 2], frequency: [2, 5], monetary: [4, 5], color: '#f46d43' },
		{ name: 'Need Attention', recency: [1, 3], frequency: [3, 5], monetary: [3, 5], color: '#fee08b' },
		{ name: 'About To Sleep', recency: [2, 3], frequency: [1, 3], monetary: [1, 4], color: '#fdae61' },
		{ name: 'Lost', recency: [1, 1], frequency: [1, 5], monetary: [1, 5], color: '#9e9e9e' }
	]
};

export const RULE_SETS: readonly RuleSet[] = [GRID_MAP, R_RFM_README];

/** The rule set with this id, or the default grid map. */
export function ruleSetById(id: string): RuleSet {
	return RULE_SETS.find((r) => r.id === id) ?? GRID_MAP;
}

/** True when no rule looks at monetary, so each R×F cell belongs to exactly one segment. */
export function decidedByRecencyAndFrequency(set: RuleSet, levels: number): boolean {
	return set.rules.every((r) => r.monetary[0] <= 1 && r.monetary[1] >= levels);
}

/** The segment of one R×F×M score triple: the first rule containing all three scores. */
export function segmentOf(set: RuleSet, r: number, f: number, m: number): string {
	const inside = (v: number, [lo, hi]: [number, number]) => v >= lo && v <= hi;
	return set.rules.find((x) => inside(r, x.recency) && inside(f, x.frequency) && inside(m, x.monetary))?.name ?? set.fallback;
}

/** A CASE expression naming each customer's segment from columns `r`, `f`, `m`. */
export function segmentCaseSql(set: RuleSet): string {
	const range = (col: string, [lo, hi]: [number, number]) => `${col} BETWEEN ${Math.trunc(lo)} AND ${Math.trunc(hi)}`;
	const whens = set.rules.map(
		(rule) => `WHEN ${range('r', rule.recency)} AND ${range('f', rule.frequency)} AND ${range('m', rule.monetary)} THEN ${str(rule.name)}`
	);
	return `CASE ${whens.join('\n\t')} ELSE ${str(set.fallback)} END`;
}

/** The colour of a segment in a rule set (grey for the fallback). */
export function segmentColor(set: RuleSet, name: string): string {
	return set.rules.find((r) => r.name === name)?.color ?? '#cccccc';
}
