/**
 * Segment rule sets as data, and the SQL that applies them (first matching rule wins).
 *
 * A rule is a box of inclusive score ranges on R, F and M, optionally restricted to customers who
 * engaged recently (`engagedWithinDays`). Every preset carries, per segment and for the fallback,
 * a short description and a suggested action written for merchants.
 */
import { num, str } from '../sql';
import type { RuleSet, SegmentRule } from './types';
import { SEGMENT_PALETTE as P } from './palette';

// The engine validates sets from the page before use; the validator lives with the JSON format.
export { validateRuleSet } from './rule-json';

type Range = [number, number];
type Words = { description: string; action: string };

function rule(name: string, recency: Range, frequency: Range, monetary: Range, color: string, words: Words): SegmentRule {
	return { name, recency, frequency, monetary, color, ...words };
}

const ANY5: Range = [1, 5];

function rf(name: string, recency: Range, frequency: Range, color: string, words: Words): SegmentRule {
	return rule(name, recency, frequency, ANY5, color, words);
}

const OTHERS: Pick<RuleSet, 'fallback' | 'fallbackDescription' | 'fallbackAction'> = {
	fallback: 'Others',
	fallbackDescription: 'Customers whose scores fall between the rules of this set, so no segment claims them.',
	fallbackAction: 'Look at their scores on the matrix; if the group is large, add or widen a rule so they get a segment of their own.'
};

/** What the R×F grid's segments mean; shared with the 12-segment set, which refines the grid. */
const GRID_WORDS = {
	champions: {
		description: 'Ordered very recently and order often: your best customers right now.',
		action: 'Thank them rather than discount: early access, a loyalty perk, a request for a review or a referral.'
	},
	loyal: {
		description: 'Order often and not too long ago: the steady core of your store.',
		action: 'Keep them close with loyalty rewards and recommendations based on what they buy; ask for reviews.'
	},
	potentialLoyalist: {
		description: 'Recent customers with a few orders: one or two more and they become regulars.',
		action: 'Suggest a natural next purchase and invite them to your loyalty programme or newsletter.'
	},
	newCustomers: {
		description: 'Placed their first order very recently.',
		action: 'Welcome them: a helpful follow-up on their order, how to get the most from it, no hard sell yet.'
	},
	promising: {
		description: 'Ordered once, a little while ago.',
		action: 'Give them a reason for a second order: a product that goes with their first, or a small time-limited offer.'
	},
	needAttention: {
		description: 'Have ordered a few times, but their last order is getting older.',
		action: 'Reach out with something relevant to them and a reason to act soon, before they drift away.'
	},
	aboutToSleep: {
		description: 'One or two orders, and some time has passed since the last one.',
		action: 'Remind them of your bestsellers or what is new; a modest offer at most, and do not over-mail.'
	},
	atRisk: {
		description: 'Used to order regularly but have not ordered for a long time.',
		action: 'Win them back personally: what is new since their last order, and an offer worth coming back for.'
	},
	cantLoseThem: {
		description: 'Among your most frequent customers ever, but silent for a long time.',
		action: 'Contact them one to one, ask what changed, and make a strong offer to bring them back.'
	},
	hibernating: {
		description: 'One or two orders, long ago.',
		action: 'Keep them in seasonal campaigns only; do not spend much to reactivate them.'
	}
} satisfies Record<string, Words>;

/**
 * The default: the R×F grid map, a full partition of the 5×5 recency × frequency matrix
 * (monetary does not decide the segment; it still ranks customers within it).
 */
export const GRID_MAP: RuleSet = {
	id: 'grid',
	name: 'R×F grid map',
	levels: 5,
	...OTHERS,
	rules: [
		rf('Champions', [5, 5], [4, 5], P.green, GRID_WORDS.champions),
		rf('Loyal', [3, 4], [4, 5], P.teal, GRID_WORDS.loyal),
		rf('Potential Loyalist', [4, 5], [2, 3], P.cyan, GRID_WORDS.potentialLoyalist),
		rf('New Customers', [5, 5], [1, 1], P.indigo, GRID_WORDS.newCustomers),
		rf('Promising', [4, 4], [1, 1], P.purple, GRID_WORDS.promising),
		rf('Need Attention', [3, 3], [3, 3], P.sand, GRID_WORDS.needAttention),
		rf('About To Sleep', [3, 3], [1, 2], P.olive, GRID_WORDS.aboutToSleep),
		rf('At Risk', [1, 2], [3, 4], P.rose, GRID_WORDS.atRisk),
		rf("Can't Lose Them", [1, 2], [5, 5], P.wine, GRID_WORDS.cantLoseThem),
		rf('Hibernating', [1, 2], [1, 2], P.grey, GRID_WORDS.hibernating)
	]
};

/**
 * The R package `rfm`'s README rule list (segment_rules_readme.csv), with "Others" for the rest.
 * The ranges must stay exactly as published: the reference tests reproduce the package with them.
 */
export const R_RFM_README: RuleSet = {
	id: 'r-rfm',
	name: 'R rfm package rules',
	levels: 5,
	...OTHERS,
	fallbackDescription: 'Customers none of the R rfm rules match (the package calls them "Others" too).',
	rules: [
		rule('Champions', [5, 5], [5, 5], [5, 5], P.green, {
			description: 'Top scores on all three: ordered very recently, order the most often and spend the most.',
			action: 'Treat them as VIPs: early access, personal thanks, a referral programme. No discounts needed.'
		}),
		rule('Potential Loyalist', [3, 5], [3, 5], [2, 5], P.cyan, {
			description: 'Fairly recent, order regularly and spend well, without being top on everything yet.',
			action: 'Move them up: loyalty rewards, bundles and recommendations that raise their basket.'
		}),
		rule('Loyal Customers', [2, 4], [2, 4], [2, 4], P.teal, {
			description: 'Middle scores all round: regular customers who have not ordered in the last few weeks.',
			action: 'Keep in touch with useful content and recommendations; reward their loyalty.'
		}),
		rule('Promising', [3, 4], [1, 3], [3, 5], P.purple, {
			description: 'Few orders, not long ago, but good order values.',
			action: 'Encourage the next order with products related to what they bought.'
		}),
		rule('New Customers', [4, 5], [1, 3], [1, 5], P.indigo, {
			description: 'Ordered recently, with only a few orders so far.',
			action: 'Welcome them and make the second order easy: onboarding emails, a small next-order incentive.'
		}),
		rule("Can't Lose Them", [1, 2], [3, 4], [4, 5], P.wine, {
			description: 'Spent a lot and ordered regularly, but have been away for a long time.',
			action: 'Contact them personally and make a strong win-back offer.'
		}),
		rule('At Risk', [1, 2], [2, 5], [4, 5], P.rose, {
			description: 'Valuable customers whose last order is long ago.',
			action: 'Send a personal win-back message with what is new and a good reason to return.'
		}),
		rule('Need Attention', [1, 3], [3, 5], [3, 5], P.sand, {
			description: 'Ordered often and spent well, but their recency is slipping.',
			action: 'Reach out with a limited-time offer or recommendations before they lapse.'
		}),
		rule('About To Sleep', [2, 3], [1, 3], [1, 4], P.olive, {
			description: 'Below-average recency, few orders and modest spend.',
			action: 'Remind them with bestsellers or a modest discount.'
		}),
		rule('Lost', [1, 1], [1, 5], [1, 5], P.grey, {
			description: 'Their last order is among the oldest in your data.',
			action: 'Try one low-cost reactivation campaign; otherwise leave them out of paid campaigns.'
		})
	]
};

/**
 * The R×F grid refined with monetary and engagement: a full partition of the 5×5×5 scores, with
 * "Lost but engaged" for lost customers who still open emails or visit.
 */
export const TWELVE_SEGMENTS: RuleSet = {
	id: 'twelve',
	name: '12 segments with engagement',
	levels: 5,
	...OTHERS,
	rules: [
		rf('Champions', [5, 5], [4, 5], P.green, GRID_WORDS.champions),
		rule('Losing VIPs', [3, 3], [3, 5], [4, 5], P.orange, {
			description: 'Big spenders who order often, but their last order is older than usual for them.',
			action: 'Act now while they still know you: a personal note, early access or a gift with their next order.'
		}),
		rf('Loyal', [3, 4], [4, 5], P.teal, GRID_WORDS.loyal),
		rf('Potential Loyalist', [4, 5], [2, 3], P.cyan, GRID_WORDS.potentialLoyalist),
		rf('New Customers', [5, 5], [1, 1], P.indigo, GRID_WORDS.newCustomers),
		rf('Promising', [4, 4], [1, 1], P.purple, GRID_WORDS.promising),
		rf('Need Attention', [3, 3], [3, 3], P.sand, GRID_WORDS.needAttention),
		rf('About To Sleep', [3, 3], [1, 2], P.olive, GRID_WORDS.aboutToSleep),
		rule("Can't Lose Them", [1, 2], [4, 5], [4, 5], P.wine, {
			description: 'Once among your best customers, ordering often and spending the most, but silent for a long time.',
			action: 'Contact them one to one, ask what changed, and make your strongest offer to bring them back.'
		}),
		rf('At Risk', [1, 2], [3, 5], P.rose, GRID_WORDS.atRisk),
		{
			...rf('Lost but engaged', [1, 2], [1, 2], P.blue, {
				description:
					'Their orders say lost (one or two, long ago), yet they opened an email or visited in the last 30 days. ' +
					'Needs an engagement column (last email click, last visit) in the customer data; without one nobody is in this segment.',
				action: 'They are still listening: send your best reason to come back now, such as a personal offer or what is new.'
			}),
			engagedWithinDays: 30
		},
		rf('Lost', [1, 2], [1, 2], P.grey, {
			description: 'One or two orders, long ago, and no sign of recent interest.',
			action: 'Keep them in seasonal campaigns at most; do not spend much to reactivate them.'
		})
	]
};

const ANY3: Range = [1, 3];

/** Six groups on a 1–3 scale: simple enough to explain in one sentence each; covers all 27 score triples. */
export const SIX_GROUPS: RuleSet = {
	id: 'six',
	name: '6 groups (1–3 scale)',
	levels: 3,
	...OTHERS,
	rules: [
		rule('Champions', [3, 3], [3, 3], [2, 3], P.green, {
			description: 'Recent, frequent and spending well: your best customers.',
			action: 'Reward and thank them; ask for reviews and referrals. No discounts needed.'
		}),
		rule('Loyal', [2, 3], [2, 3], ANY3, P.teal, {
			description: 'Order more often than most, and not too long ago.',
			action: 'Keep them engaged with recommendations, a loyalty programme and news they care about.'
		}),
		rule('Recent', [3, 3], [1, 1], ANY3, P.indigo, {
			description: 'Ordered recently but rarely so far, often for the first time.',
			action: 'Welcome them and make a second order easy.'
		}),
		rule('Needs attention', [2, 2], [1, 1], ANY3, P.sand, {
			description: 'Rarely ordered, and the last order was a while ago.',
			action: 'Remind them what you offer with a related product or a small time-limited offer.'
		}),
		rule('At risk', [1, 1], [2, 3], ANY3, P.rose, {
			description: 'Ordered more often than most, but not for a long time.',
			action: 'Win them back with a personal message and a good offer.'
		}),
		rule('Inactive', [1, 1], [1, 1], ANY3, P.grey, {
			description: 'Rarely ordered, and not for a long time.',
			action: 'Include them in seasonal campaigns only.'
		})
	]
};

/** The presets, in the order the page lists them. */
export const RULE_SETS: readonly RuleSet[] = [GRID_MAP, TWELVE_SEGMENTS, SIX_GROUPS, R_RFM_README];

/** True when `id` belongs to a preset (merchants' own sets must use other ids). */
export function isPresetId(id: string): boolean {
	return RULE_SETS.some((s) => s.id === id);
}

/** True when the rule only matches customers who engaged recently. */
export function needsEngagement(rule: SegmentRule): boolean {
	return rule.engagedWithinDays !== undefined && rule.engagedWithinDays !== null;
}

/** True when a rule looks at engagement, so the data needs an engagement column for it to work fully. */
export function usesEngagement(set: RuleSet): boolean {
	return set.rules.some(needsEngagement);
}

const inside = (v: number, [lo, hi]: Range) => v >= lo && v <= hi;

/**
 * True when a customer with these scores matches the rule. `engagedDays` is the number of days
 * from their latest engagement to the analysis date, null when unknown.
 */
export function ruleMatches(rule: SegmentRule, r: number, f: number, m: number, engagedDays: number | null = null): boolean {
	if (!(inside(r, rule.recency) && inside(f, rule.frequency) && inside(m, rule.monetary))) return false;
	if (!needsEngagement(rule)) return true;
	return engagedDays !== null && engagedDays <= (rule.engagedWithinDays as number);
}

/**
 * The segment of one R×F×M score triple: the first rule that matches. `engagedDays` (days since
 * the customer's latest engagement, null when unknown) matters only for rules with
 * `engagedWithinDays`.
 */
export function segmentOf(set: RuleSet, r: number, f: number, m: number, engagedDays: number | null = null): string {
	return set.rules.find((x) => ruleMatches(x, r, f, m, engagedDays))?.name ?? set.fallback;
}

/** A whole number for SQL (ranges are validated elsewhere; this only keeps the text well-formed). */
const int = (v: number) => num(Math.trunc(v));

/**
 * A CASE expression naming each customer's segment from columns `r`, `f`, `m` and, when a rule
 * looks at engagement, `engaged_days` (NULL when unknown). Same answers as `segmentOf`.
 */
export function segmentCaseSql(set: RuleSet): string {
	const range = (col: string, [lo, hi]: Range) => `${col} BETWEEN ${int(lo)} AND ${int(hi)}`;
	const whens = set.rules.map((rule) => {
		const engaged = needsEngagement(rule)
			? ` AND engaged_days IS NOT NULL AND engaged_days <= ${int(rule.engagedWithinDays as number)}`
			: '';
		return `WHEN ${range('r', rule.recency)} AND ${range('f', rule.frequency)} AND ${range('m', rule.monetary)}${engaged} THEN ${str(rule.name)}`;
	});
	// `CASE ELSE … END` is not valid SQL: a set without rules puts everyone in the fallback.
	if (whens.length === 0) return str(set.fallback);
	return `CASE ${whens.join('\n\t')} ELSE ${str(set.fallback)} END`;
}

/** One segment of a rule set with its words for merchants, in rule order, the fallback last. */
export interface SegmentInfo {
	segment: string;
	description: string;
	action: string;
	color: string;
}

/** Every segment a rule set can produce (each name once, first rule wins), the fallback last. */
export function segmentInfo(set: RuleSet): SegmentInfo[] {
	const seen = new Set<string>();
	const out: SegmentInfo[] = [];
	const add = (info: SegmentInfo) => {
		if (seen.has(info.segment)) return;
		seen.add(info.segment);
		out.push(info);
	};
	for (const r of set.rules) add({ segment: r.name, description: r.description ?? '', action: r.action ?? '', color: r.color });
	add({ segment: set.fallback, description: set.fallbackDescription ?? '', action: set.fallbackAction ?? '', color: FALLBACK_COLOR });
	return out;
}

/**
 * A query with one row per segment: `(segment, description, action)`. Join it to the scored
 * customers for exports: `LEFT JOIN (${segmentInfoSql(set)}) AS segment_info USING (segment)`.
 */
export function segmentInfoSql(set: RuleSet): string {
	const rows = segmentInfo(set).map((s) => `(${str(s.segment)}, ${str(s.description)}, ${str(s.action)})`);
	return `SELECT * FROM (VALUES ${rows.join(',\n\t')}) AS segment_info(segment, description, action)`;
}

/** The colour of customers no rule matches. */
export const FALLBACK_COLOR = '#cccccc';

/** The colour of a segment in a rule set (grey for the fallback). */
export function segmentColor(set: RuleSet, name: string): string {
	return set.rules.find((r) => r.name === name)?.color ?? FALLBACK_COLOR;
}

/**
 * The rule set rewritten for another score scale, keeping its shape: each score on the new scale
 * stands for the score at the middle of the same share of customers on the old one (1–3 on a
 * 1–5 set reads as 1, 3 and 5), so a partition stays a partition. Rules left with no score on
 * some metric are dropped.
 */
export function rescaleRuleSet(set: RuleSet, levels: number): RuleSet {
	if (levels === set.levels) return set;
	// Score t of `levels` covers the share ((t-1)/levels, t/levels] of customers; its middle falls in this old score.
	const old = (t: number) => Math.min(set.levels, Math.max(1, Math.ceil(((t - 0.5) * set.levels) / levels)));
	const map = ([lo, hi]: Range): Range | null => {
		const scores = Array.from({ length: levels }, (_, i) => i + 1).filter((t) => inside(old(t), [lo, hi]));
		return scores.length === 0 ? null : [scores[0]!, scores[scores.length - 1]!];
	};
	const rules: SegmentRule[] = [];
	for (const r of set.rules) {
		const [recency, frequency, monetary] = [map(r.recency), map(r.frequency), map(r.monetary)];
		if (recency && frequency && monetary) rules.push({ ...r, recency, frequency, monetary });
	}
	return { ...set, levels, rules };
}
