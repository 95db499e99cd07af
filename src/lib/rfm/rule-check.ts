/**
 * The rule checker: what a rule set does to every score combination, so the editor can warn
 * before the merchant runs it.
 *
 * - gaps: score triples no rule reaches (those customers fall into the fallback);
 * - shadowed rules: rules that never match because earlier rules take all their triples;
 * - range problems: ranges outside the score scale, or running backwards;
 * - per rule, the R×F cells it covers (for highlighting on the matrix).
 *
 * Engagement rules (`engagedWithinDays`) are conditional: they take a customer only when they
 * engaged recently, so they never shadow a later rule and never close a gap on their own. An
 * earlier engagement rule with at least as many days does shadow a later one, since everyone
 * engaged within 30 days also engaged within 60.
 */
import { rangeProblem, ruleLabel } from './rule-json';
import { needsEngagement } from './segments';
import { METRICS, type Metric, type RuleSet, type SegmentRule } from './types';

/** Some M scores of one R×F cell. */
export interface CellScores {
	r: number;
	f: number;
	/** The M scores concerned, ascending. */
	m: number[];
	/** True when only some of the cell's M scores are concerned. */
	partial: boolean;
}

export interface GapCell extends CellScores {
	/** Of `m`, the M scores an engagement rule reaches for customers who engaged recently. */
	engagedOnly: number[];
}

export interface RuleCoverage {
	/** Position in the rule list, from 0. */
	index: number;
	name: string;
	color: string;
	/** The rule only takes customers who engaged recently. */
	engagedOnly: boolean;
	/** The cells inside the rule's ranges. */
	cells: CellScores[];
	/** The cells where customers can actually land in this rule (not taken by an earlier rule). */
	reached: CellScores[];
	/** Number of score triples inside the rule's ranges, and of those it can reach. */
	triples: number;
	reachedTriples: number;
}

export interface ShadowedRule {
	index: number;
	name: string;
	/** The earlier rules that take its triples (indexes from 0). */
	by: number[];
	message: string;
}

export interface RangeIssue {
	index: number;
	name: string;
	metric: Metric;
	range: [number, number];
	/** True when the rule can match no score at all because of it. */
	matchesNothing: boolean;
	message: string;
}

export interface RuleCheck {
	/** The score scale checked (1..levels). */
	levels: number;
	/** R×F cells with M scores no rule reaches, by R then F. */
	gaps: GapCell[];
	/** Number of score triples in `gaps`. */
	gapTriples: number;
	shadowed: ShadowedRule[];
	rangeIssues: RangeIssue[];
	coverage: RuleCoverage[];
	/** Every problem above as a sentence, range issues first, then shadowed rules, then gaps. */
	messages: string[];
}

type Triple = readonly [number, number, number];

/** `[1, 2, 3, 5]` → `"1–3, 5"`. */
export function formatScores(values: readonly number[]): string {
	const sorted = [...new Set(values)].sort((a, b) => a - b);
	const runs: string[] = [];
	for (let i = 0; i < sorted.length;) {
		let j = i;
		while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
		runs.push(i === j ? `${sorted[i]}` : `${sorted[i]}–${sorted[j]}`);
		i = j + 1;
	}
	return runs.join(', ');
}

/** `R2 F3` or `R2 F3 (M1–2)` when only some M scores are concerned. */
export function cellLabel(cell: CellScores): string {
	return cell.partial ? `R${cell.r} F${cell.f} (M${formatScores(cell.m)})` : `R${cell.r} F${cell.f}`;
}

function contains(rule: SegmentRule, [r, f, m]: Triple): boolean {
	const inside = (v: number, [lo, hi]: [number, number]) => v >= lo && v <= hi;
	return inside(r, rule.recency) && inside(f, rule.frequency) && inside(m, rule.monetary);
}

/** True when every customer `later` could take in a shared triple is taken by `earlier` first. */
function takesBefore(earlier: SegmentRule, later: SegmentRule): boolean {
	if (!needsEngagement(earlier)) return true;
	if (!needsEngagement(later)) return false;
	return (earlier.engagedWithinDays as number) >= (later.engagedWithinDays as number);
}

function groupCells(triples: readonly Triple[], levels: number): CellScores[] {
	const cells = new Map<string, CellScores>();
	for (const [r, f, m] of triples) {
		const key = `${r}:${f}`;
		const cell = cells.get(key) ?? { r, f, m: [], partial: false };
		cell.m.push(m);
		cells.set(key, cell);
	}
	return [...cells.values()]
		.map((c) => ({ ...c, m: c.m.sort((a, b) => a - b), partial: c.m.length < levels }))
		.sort((a, b) => a.r - b.r || a.f - b.f);
}

/** Checks a rule set on a score scale of 1..`levels` (by default the scale it was written for). */
export function checkRules(set: RuleSet, levels: number = set.levels): RuleCheck {
	const scores = Array.from({ length: levels }, (_, i) => i + 1);
	const all: Triple[] = scores.flatMap((r) => scores.flatMap((f) => scores.map((m) => [r, f, m] as const)));

	const rangeIssues: RangeIssue[] = [];
	set.rules.forEach((rule, index) => {
		const who = ruleLabel(index + 1, rule.name);
		for (const metric of METRICS) {
			const [lo, hi] = rule[metric];
			const message = rangeProblem(who, metric, [lo, hi], levels);
			if (message) {
				const matchesNothing = lo > hi || hi < 1 || lo > levels;
				rangeIssues.push({ index, name: rule.name, metric, range: [lo, hi], matchesNothing, message });
			}
		}
	});

	const coverage: RuleCoverage[] = [];
	const shadowed: ShadowedRule[] = [];
	set.rules.forEach((rule, index) => {
		const inRule = all.filter((t) => contains(rule, t));
		const reached: Triple[] = [];
		const by = new Set<number>();
		for (const t of inRule) {
			const taker = set.rules.findIndex((earlier, i) => i < index && takesBefore(earlier, rule) && contains(earlier, t));
			if (taker === -1) reached.push(t);
			else by.add(taker);
		}
		coverage.push({
			index,
			name: rule.name,
			color: rule.color,
			engagedOnly: needsEngagement(rule),
			cells: groupCells(inRule, levels),
			reached: groupCells(reached, levels),
			triples: inRule.length,
			reachedTriples: reached.length
		});
		// A rule that covers no score at all is a range issue, not a shadowed rule.
		if (inRule.length > 0 && reached.length === 0) {
			const takers = [...by].sort((a, b) => a - b);
			const names = takers.map((i) => ruleLabel(i + 1, set.rules[i]!.name).replace(/^Rule/, 'rule'));
			const list = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
			shadowed.push({
				index,
				name: rule.name,
				by: takers,
				message: `${ruleLabel(index + 1, rule.name)} never matches: ${list} ${names.length === 1 ? 'comes' : 'come'} first and ${names.length === 1 ? 'takes' : 'take'} all its scores`
			});
		}
	});

	const unconditional = set.rules.filter((r) => !needsEngagement(r));
	const conditional = set.rules.filter(needsEngagement);
	const gapTriples = all.filter((t) => !unconditional.some((r) => contains(r, t)));
	const gaps: GapCell[] = groupCells(gapTriples, levels).map((cell) => ({
		...cell,
		engagedOnly: cell.m.filter((m) => conditional.some((r) => contains(r, [cell.r, cell.f, m])))
	}));

	const fallback = JSON.stringify(set.fallback);
	const gapMessages = gaps.flatMap((g) => {
		const part = (m: number[]): CellScores => ({ r: g.r, f: g.f, m, partial: m.length < levels });
		const rest = g.m.filter((m) => !g.engagedOnly.includes(m));
		const lines: string[] = [];
		if (rest.length > 0) lines.push(`${cellLabel(part(rest))}: no rule matches, so these customers fall into ${fallback}`);
		if (g.engagedOnly.length > 0)
			lines.push(`${cellLabel(part(g.engagedOnly))}: only customers who engaged recently get a segment; the others fall into ${fallback}`);
		return lines;
	});

	return {
		levels,
		gaps,
		gapTriples: gapTriples.length,
		shadowed,
		rangeIssues,
		coverage,
		messages: [...rangeIssues.map((i) => i.message), ...shadowed.map((s) => s.message), ...gapMessages]
	};
}
