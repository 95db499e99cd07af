/**
 * Segment definitions for the builder: conditions on a customer, grouped with AND / OR, groups
 * combined with AND / OR (one level of nesting). Definitions are plain JSON: they are saved in the
 * browser, exported and imported, and compiled to SQL with bound values by `compile.ts`.
 */

/** The fields that come from the predictions (`customer_predictions`), offered once the models ran and are trusted. */
export const PREDICTION_FIELDS = [
	'p_alive',
	'p_order_next',
	'expected_orders',
	'expected_order_value',
	'predicted_value',
	'likely_lost',
	'high_predicted_value'
] as const;

/** Every field a condition can test. Optional fields are offered only when the file has values for them. */
export const FIELD_IDS = [
	'r',
	'f',
	'm',
	'segment',
	'previous_segment',
	'behaviour',
	'orders',
	'total_spent',
	'aov',
	'avg_items',
	'first_order',
	'last_order',
	'days_since_first',
	'days_since_last',
	'country',
	'city',
	'channel',
	'payment_method',
	'coupon',
	'coupon_share',
	'product',
	'sku',
	'category',
	'tag',
	'accepts_marketing',
	...PREDICTION_FIELDS
] as const;
export type FieldId = (typeof FIELD_IDS)[number];

/** How a field is compared: the operators and value input it takes. */
export type FieldKind = 'number' | 'date' | 'text' | 'behaviour' | 'coupon' | 'purchase' | 'flag';

export interface FieldInfo {
	id: FieldId;
	label: string;
	kind: FieldKind;
	/** Present whatever the file holds (the base columns customer, order, date and amount give these). */
	always: boolean;
}

export const FIELDS: readonly FieldInfo[] = [
	{ id: 'r', label: 'Recency score (R)', kind: 'number', always: true },
	{ id: 'f', label: 'Frequency score (F)', kind: 'number', always: true },
	{ id: 'm', label: 'Monetary score (M)', kind: 'number', always: true },
	{ id: 'segment', label: 'RFM segment', kind: 'text', always: true },
	// History's scoring as of 90 days before the analysis date: "was Champions, now At Risk".
	{ id: 'previous_segment', label: 'RFM segment 90 days ago', kind: 'text', always: true },
	{ id: 'behaviour', label: 'Behaviour segment', kind: 'behaviour', always: true },
	{ id: 'orders', label: 'Number of orders', kind: 'number', always: true },
	{ id: 'total_spent', label: 'Total spent', kind: 'number', always: true },
	{ id: 'aov', label: 'Average order value', kind: 'number', always: true },
	{ id: 'avg_items', label: 'Average items per order', kind: 'number', always: false },
	{ id: 'first_order', label: 'First order date', kind: 'date', always: true },
	{ id: 'last_order', label: 'Last order date', kind: 'date', always: true },
	{ id: 'days_since_first', label: 'Days since first order', kind: 'number', always: true },
	{ id: 'days_since_last', label: 'Days since last order', kind: 'number', always: true },
	{ id: 'country', label: 'Country', kind: 'text', always: false },
	{ id: 'city', label: 'City', kind: 'text', always: false },
	{ id: 'channel', label: 'Sales channel or source', kind: 'text', always: false },
	{ id: 'payment_method', label: 'Payment method', kind: 'text', always: false },
	{ id: 'coupon', label: 'Coupon used', kind: 'coupon', always: false },
	// Discount dependency (the Repeat purchases tab's groups): 0 full price, 100 coupon only.
	{ id: 'coupon_share', label: 'Orders with a coupon (%)', kind: 'number', always: false },
	{ id: 'product', label: 'Product purchased', kind: 'purchase', always: false },
	{ id: 'sku', label: 'SKU purchased', kind: 'purchase', always: false },
	{ id: 'category', label: 'Category purchased', kind: 'purchase', always: false },
	{ id: 'tag', label: 'Customer tag', kind: 'text', always: false },
	{ id: 'accepts_marketing', label: 'Accepts marketing', kind: 'flag', always: false },
	// Predictions (the purchase model in use and Gamma-Gamma), offered once the models have run and are trusted.
	{ id: 'p_alive', label: 'Chance still active (%)', kind: 'number', always: false },
	{ id: 'p_order_next', label: 'Chance of an order in the first horizon (%)', kind: 'number', always: false },
	{ id: 'expected_orders', label: 'Expected orders (first horizon)', kind: 'number', always: false },
	{ id: 'expected_order_value', label: 'Expected order value', kind: 'number', always: false },
	{ id: 'predicted_value', label: 'Predicted value', kind: 'number', always: false },
	{ id: 'likely_lost', label: 'Likely lost (prediction)', kind: 'flag', always: false },
	{ id: 'high_predicted_value', label: 'High predicted value', kind: 'flag', always: false }
];

export const fieldInfo = (id: FieldId): FieldInfo => FIELDS.find((f) => f.id === id)!;

/** Operators per kind, with the words the builder shows. */
export const OPERATORS = {
	number: { eq: '=', ne: '≠', lt: '<', le: '≤', gt: '>', ge: '≥', between: 'between' },
	date: { before: 'before', on_or_before: 'on or before', after: 'after', on_or_after: 'on or after', between: 'between' },
	text: { is: 'is', is_not: 'is not', contains: 'contains', starts_with: 'starts with' },
	behaviour: { in: 'is in', not_in: 'is not in' },
	coupon: { any: 'any coupon', none: 'no coupon', code: 'the code' },
	purchase: { bought: 'bought at least', not_bought: 'never bought' },
	flag: { yes: 'yes', no: 'no' }
} as const satisfies Record<FieldKind, Record<string, string>>;

export type Operator = { [K in FieldKind]: keyof (typeof OPERATORS)[K] }[FieldKind];

/**
 * One test on a customer. `value` is a number for number fields, an ISO date for date fields,
 * text otherwise (a behaviour segment id, a coupon code, a product, SKU or category); `value2`
 * closes a `between`; `min` is the least number of orders for `bought` (default 1).
 */
export interface Condition {
	field: FieldId;
	op: Operator;
	value?: string | number | null;
	value2?: string | number | null;
	min?: number;
}

export type Match = 'all' | 'any';

export interface ConditionGroup {
	match: Match;
	conditions: Condition[];
}

/** Groups combined with `match`: all (AND) or any (OR); inside each group, its own `match`. */
export interface SegmentDefinition {
	match: Match;
	groups: ConditionGroup[];
}

export interface SavedSegment {
	name: string;
	definition: SegmentDefinition;
}

export const EMPTY_DEFINITION: SegmentDefinition = { match: 'all', groups: [{ match: 'all', conditions: [] }] };

/** The operator a new condition on this field starts with. */
export function defaultCondition(field: FieldId): Condition {
	switch (fieldInfo(field).kind) {
		case 'number':
			if (field === 'p_alive') return { field, op: 'lt', value: 30 };
			return { field, op: 'ge', value: field === 'r' || field === 'f' || field === 'm' ? 4 : 1 };
		case 'date':
			return { field, op: 'on_or_after', value: '' };
		case 'text':
			return { field, op: 'is', value: '' };
		case 'behaviour':
			return { field, op: 'in', value: 'repeat' };
		case 'coupon':
			return { field, op: 'any' };
		case 'purchase':
			return { field, op: 'bought', value: '', min: 1 };
		case 'flag':
			return { field, op: 'yes' };
	}
}

const ISO = /^\d{4}-\d{2}-\d{2}$/;
const isMatch = (m: unknown): m is Match => m === 'all' || m === 'any';

/** What is wrong with one condition (for the merchant), or null when it can be used. */
export function conditionProblem(c: Condition): string | null {
	const field = FIELDS.find((f) => f.id === c.field);
	if (!field) return `There is no field called “${String(c.field)}”.`;
	const ops = OPERATORS[field.kind] as Record<string, string>;
	if (!Object.hasOwn(ops, c.op)) return `${field.label} cannot be compared with “${String(c.op)}”.`;
	const needsSecond = c.op === 'between';
	switch (field.kind) {
		case 'number':
			if (typeof c.value !== 'number' || !Number.isFinite(c.value)) return `${field.label}: type a number.`;
			if (needsSecond && (typeof c.value2 !== 'number' || !Number.isFinite(c.value2))) return `${field.label}: type the second number.`;
			return null;
		case 'date':
			if (typeof c.value !== 'string' || !ISO.test(c.value) || Number.isNaN(Date.parse(c.value))) return `${field.label}: pick a date.`;
			if (needsSecond && (typeof c.value2 !== 'string' || !ISO.test(c.value2) || Number.isNaN(Date.parse(c.value2))))
				return `${field.label}: pick the second date.`;
			return null;
		case 'text':
		case 'behaviour':
			if (typeof c.value !== 'string' || c.value === '') return `${field.label}: choose or type a value.`;
			return null;
		case 'coupon':
			if (c.op === 'code' && (typeof c.value !== 'string' || c.value === '')) return `${field.label}: type the coupon code.`;
			return null;
		case 'purchase':
			if (typeof c.value !== 'string' || c.value === '') return `${field.label}: choose or type a value.`;
			if (c.op === 'bought' && c.min !== undefined && (!Number.isSafeInteger(c.min) || c.min < 1))
				return `${field.label}: the least number of orders is a whole number of 1 or more.`;
			return null;
		case 'flag':
			return null;
	}
}

/** Conditions that are complete, so the live counts use them while the merchant is still typing the others. */
export function completeDefinition(def: SegmentDefinition): SegmentDefinition {
	return {
		match: def.match,
		groups: def.groups.map((g) => ({ match: g.match, conditions: g.conditions.filter((c) => conditionProblem(c) === null) }))
	};
}

/** Every problem in a definition read from JSON, phrased for the merchant; empty when it can be used. */
export function definitionProblems(value: unknown, where = 'The segment'): string[] {
	if (typeof value !== 'object' || value === null) return [`${where} is not an object with "match" and "groups".`];
	const def = value as Partial<SegmentDefinition>;
	const problems: string[] = [];
	if (!isMatch(def.match)) problems.push(`${where}: "match" must be "all" or "any".`);
	if (!Array.isArray(def.groups)) return [...problems, `${where}: "groups" must be a list of condition groups.`];
	def.groups.forEach((g: unknown, i) => {
		const at = `${where}, group ${i + 1}`;
		if (typeof g !== 'object' || g === null) return problems.push(`${at} is not an object.`);
		const group = g as Partial<ConditionGroup>;
		if (!isMatch(group.match)) problems.push(`${at}: "match" must be "all" or "any".`);
		if (!Array.isArray(group.conditions)) return problems.push(`${at}: "conditions" must be a list.`);
		group.conditions.forEach((c: unknown, j) => {
			if (typeof c !== 'object' || c === null) return problems.push(`${at}, condition ${j + 1} is not an object.`);
			const problem = conditionProblem(c as Condition);
			if (problem) problems.push(`${at}, condition ${j + 1}: ${problem}`);
		});
	});
	return problems;
}

export const SEGMENTS_FORMAT = 'rfm-studio-segments';

/** The JSON file of saved segments. */
export function segmentsToJson(segments: readonly SavedSegment[]): string {
	return JSON.stringify({ format: SEGMENTS_FORMAT, version: 1, segments }, null, '\t');
}

/** Reads a segments file: the segments, or the reasons it cannot be used (nothing is imported then). */
export function segmentsFromJson(text: string): { segments: SavedSegment[] } | { problems: string[] } {
	let data: unknown;
	try {
		data = JSON.parse(text);
	} catch (e) {
		return { problems: [`This is not a JSON file (${e instanceof Error ? e.message : String(e)}).`] };
	}
	const file = data as { format?: unknown; segments?: unknown };
	if (typeof data !== 'object' || data === null || file.format !== SEGMENTS_FORMAT)
		return { problems: [`This is not an RFM Studio segments file: it should have "format": "${SEGMENTS_FORMAT}".`] };
	if (!Array.isArray(file.segments) || file.segments.length === 0)
		return { problems: ['The file holds no segments ("segments" is empty).'] };
	const problems: string[] = [];
	const names = new Set<string>();
	file.segments.forEach((s: unknown, i) => {
		const seg = s as Partial<SavedSegment> | null;
		const name = typeof seg?.name === 'string' ? seg.name.trim() : '';
		if (!name) problems.push(`Segment ${i + 1} has no name.`);
		else if (names.has(name)) problems.push(`Two segments are called “${name}”.`);
		names.add(name);
		problems.push(...definitionProblems(seg?.definition, `Segment “${name || i + 1}”`));
	});
	if (problems.length > 0) return { problems };
	return {
		segments: (file.segments as SavedSegment[]).map((s) => ({ name: s.name.trim(), definition: structuredClone(s.definition) }))
	};
}
