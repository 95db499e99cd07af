/**
 * Finding the order id, customer, order date and amount columns of an order export (and an
 * optional last-engagement date) from its header names and the values under them.
 */
import { detectAmountFormat, detectDateFormat, type AmountFormat, type DateFormat } from './values';

/**
 * The fields RFM reads from an order file. `lastEngaged` is the customer's latest engagement
 * (last email click or open, last visit, last login) when the export has one: segments such as
 * "Lost but engaged" use it.
 */
export type OrderField = 'orderId' | 'customerId' | 'orderDate' | 'amount' | 'lastEngaged';

export const ORDER_FIELDS: readonly OrderField[] = ['orderId', 'customerId', 'orderDate', 'amount', 'lastEngaged'];

/** Fields without which no customer can be scored. The order id is optional: without it each row is one order. */
export const REQUIRED_FIELDS: readonly OrderField[] = ['customerId', 'orderDate', 'amount'];

export const FIELD_LABELS: Record<OrderField, string> = {
	orderId: 'Order id',
	customerId: 'Customer',
	orderDate: 'Order date',
	amount: 'Order amount',
	lastEngaged: 'Last engagement'
};

/** Which file column feeds each field (by header name), or null when none does. */
export type ColumnMapping = Record<OrderField, string | null>;

/** A mapping plus the formats chosen for the date, amount and engagement columns. */
export interface ReadPlan {
	mapping: ColumnMapping;
	dateFormat: DateFormat | null;
	amountFormat: AmountFormat | null;
	/** The format of the last-engagement column; absent or null when there is none. */
	engagedFormat?: DateFormat | null;
}

/**
 * A last-engagement header: "Last email click", "Last Open Date", "Last visit", "last_seen_at",
 * "Last login (UTC)", "Last engaged at". Only the engagement field may take such a column.
 */
const ENGAGEMENT =
	/^(date (of )?)?last (e ?mail |newsletter |site |web |app |store )?(click|clicked|open|opened|visit|visited|seen|login|log in|logged in|sign in|signed in|engaged|engagement|active|activity)( (date|time|timestamp|datetime|at|on|date time))?$/;

interface NameRule {
	pattern: RegExp;
	score: number;
}

/**
 * Header-name rules, matched against a normalised name (lower case, `_`/`-`/`.` as spaces, any
 * parenthesised currency or unit dropped). Higher scores win; a value check must also pass.
 */
const NAME_RULES: Record<OrderField, NameRule[]> = {
	orderId: [
		{ pattern: /^(order|sales order|purchase)( ?(id|no|nr|number|num|ref|reference|#|key|code))$/, score: 10 },
		{ pattern: /^order ?#$|^#$/, score: 10 },
		{
			pattern: /^(invoice|invoiceno|invoice ?(id|no|nr|number|num|#)|receipt ?(id|no|number)?|transaction ?(id|no|number|ref)?|txn ?id)$/,
			score: 9
		},
		{ pattern: /^order$|^orderid$|^ordernumber$/, score: 8 },
		// Shopify's order column is "Name" (`#1001`); its values must look like order names (see valuesFit).
		{ pattern: /^name$/, score: 4 },
		{ pattern: /\border\b.*\b(id|no|number|#)\b/, score: 5 }
	],
	customerId: [
		{
			pattern:
				/^(customer|client|buyer|member|shopper|user|account|contact|patron|consumer) ?(id|no|nr|number|num|ref|reference|code|key|#)$/,
			score: 10
		},
		{ pattern: /^(customerid|clientid|customer unique id|cust ?id|custno|customer_?no)$/, score: 10 },
		{ pattern: /^(customer|client|buyer|shopper|customer name|client name)$/, score: 7 },
		{ pattern: /^(e ?mail|email address|customer e ?mail|billing e ?mail|e ?mail billing|buyer e ?mail)$/, score: 6 },
		{ pattern: /\b(customer|client|buyer)\b/, score: 3 },
		{ pattern: /\be ?mail\b/, score: 2 }
	],
	orderDate: [
		{
			pattern: /^(order|purchase|invoice|transaction|sale|sales|created|placed|checkout) ?(date|time|timestamp|datetime|at|on|date time)$/,
			score: 10
		},
		// Below the order's own date: Shopify has "Paid at" (empty on unpaid orders) before "Created at".
		{ pattern: /^(payment|paid) ?(date|time|timestamp|datetime|at|on|date time)$/, score: 8 },
		{
			pattern: /^(order purchase timestamp|ordered at|created at|date|datetime|timestamp|order created|date created|date ordered)$/,
			score: 9
		},
		{ pattern: /^(invoicedate|orderdate|purchasedate|transactiondate)$/, score: 9 },
		{ pattern: /\b(date|timestamp|datetime)\b/, score: 4 },
		{ pattern: /\b(created|ordered|purchased)\b/, score: 3 }
	],
	amount: [
		{ pattern: /^(order )?(value|total|amount|revenue|sales|spend|sum)$/, score: 10 },
		{
			pattern: /^(order|invoice|transaction|sale|purchase|payment|gross|net|grand) ?(value|total|amount|revenue|sales|sum)( amount)?$/,
			score: 10
		},
		{ pattern: /^(total amount|total price|total value|total sales|total revenue|amount paid|price paid|order total amount)$/, score: 9 },
		{ pattern: /^(price|monetary|payment value|subtotal)$/, score: 6 },
		{ pattern: /\b(total|amount|revenue|value|sales)\b/, score: 4 }
	],
	lastEngaged: [
		{ pattern: ENGAGEMENT, score: 10 },
		{ pattern: /^(lastengaged|lastengagedat|lastclick|lastopen|lastvisit|lastseen|lastlogin|lastactive|lastactivity)$/, score: 10 }
	]
};

/** Names that look like an amount or a date but are not the one we want. */
const NOT_AMOUNT =
	/\b(id|no|number|qty|quantity|quantities|count|zip|postcode|postal|phone|tax(es)?|shipping|discounts?|refund(s|ed)?|outstanding|compare|items?|weight|rate|percent|%|score|age)\b/;
const NOT_DATE = /\b(fulfill(ed|ment)?|cancel(l)?ed|ship(ped|ping)?|deliver(ed|y)|updated|modified|birth|dob|due|refund(ed)?|expir\w*)\b/;

/** Normalises a header: `Order Value (EUR)` → `order value`, `InvoiceNo` → `invoiceno`. */
export function normaliseHeader(name: string): string {
	return name
		.replace(/\([^)]*\)|\[[^\]]*\]/g, ' ')
		.replace(/([a-z])([A-Z])/g, '$1 $2')
		.toLowerCase()
		.replace(/[_\-.:/]+/g, ' ')
		.replace(/\s+/g, ' ')
		.trim();
}

function nameScore(field: OrderField, header: string): number {
	const n = normaliseHeader(header);
	const squashed = header.toLowerCase().replace(/[^a-z#]/g, '');
	let best = 0;
	for (const rule of NAME_RULES[field]) {
		if (rule.pattern.test(n) || rule.pattern.test(squashed)) best = Math.max(best, rule.score);
	}
	if (field !== 'lastEngaged' && ENGAGEMENT.test(n)) return 0;
	if (field === 'amount' && NOT_AMOUNT.test(n) && best < 10) return 0;
	if (field === 'orderDate' && NOT_DATE.test(n)) return 0;
	return best;
}

/** A column of the file as the detector sees it: its header and a sample of its values as text. */
export interface SampleColumn {
	name: string;
	values: readonly string[];
}

function share(values: readonly string[], test: (v: string) => boolean): number {
	const filled = values.filter((v) => v.trim() !== '');
	return filled.length === 0 ? 0 : filled.filter(test).length / filled.length;
}

function filledShare(values: readonly string[]): number {
	return values.length === 0 ? 0 : values.filter((v) => v.trim() !== '').length / values.length;
}

/** Why each field got the column it got, for the mapping panel. */
export interface Detection {
	plan: ReadPlan;
	/** Per field: a short explanation, e.g. `header "Client Ref"` or `values look like dates`. */
	reasons: Partial<Record<OrderField, string>>;
	/** Required fields no column could be found for (the optional ones are never missing). */
	missing: OrderField[];
}

/**
 * Picks a column for each field. Header names decide first (value checks veto a name whose
 * values cannot be read: a "Date" column of free text is not a date); when no name matches a date
 * or amount, a column whose values all read as dates or as money is taken.
 */
export function detectColumns(columns: readonly SampleColumn[]): Detection {
	const mapping: ColumnMapping = { orderId: null, customerId: null, orderDate: null, amount: null, lastEngaged: null };
	const reasons: Partial<Record<OrderField, string>> = {};
	const taken = new Set<string>();
	const dateFormats = new Map<string, DateFormat | null>();
	const amountFormats = new Map<string, AmountFormat | null>();
	const dateOf = (c: SampleColumn) => {
		if (!dateFormats.has(c.name)) dateFormats.set(c.name, detectDateFormat(c.values));
		return dateFormats.get(c.name) ?? null;
	};
	const amountOf = (c: SampleColumn) => {
		if (!amountFormats.has(c.name)) amountFormats.set(c.name, detectAmountFormat(c.values));
		return amountFormats.get(c.name) ?? null;
	};
	const valuesFit: Record<OrderField, (c: SampleColumn) => boolean> = {
		orderDate: (c) => dateOf(c) !== null,
		// An amount column must not be a date column in disguise (compact dates are numbers too).
		amount: (c) => amountOf(c) !== null && share(c.values, (v) => /\d{4}-\d{1,2}-\d{1,2}/.test(v)) < 0.5,
		customerId: (c) => filledShare(c.values) > 0.3,
		orderId: (c) =>
			filledShare(c.values) > 0.3 &&
			dateOf(c) === null &&
			// A bare "Name" column is an order only when its values are single tokens with a digit (`#1001`), not people.
			(normaliseHeader(c.name) !== 'name' || share(c.values, (v) => /^\S*\d\S*$/.test(v.trim())) >= 0.8),
		// Engagement is often known for some customers only: the filled values must read as dates.
		lastEngaged: (c) => dateOf(c) !== null
	};

	// Dates and amounts first: their value checks are the strongest, and they keep customer and
	// order rules from taking e.g. "Order Date" as an order id. Engagement last: it is optional and
	// found by its header only (its name rules never match a plain order date).
	for (const field of ['orderDate', 'amount', 'customerId', 'orderId', 'lastEngaged'] as const) {
		let best: { column: SampleColumn; score: number } | null = null;
		for (const column of columns) {
			if (taken.has(column.name)) continue;
			const score = nameScore(field, column.name);
			if (score > 0 && (!best || score > best.score) && valuesFit[field](column)) best = { column, score };
		}
		if (best) {
			mapping[field] = best.column.name;
			reasons[field] = `header "${best.column.name}"`;
			taken.add(best.column.name);
		}
	}

	if (!mapping.orderDate) {
		const byValue = columns.find(
			(c) =>
				!taken.has(c.name) &&
				!NOT_DATE.test(normaliseHeader(c.name)) &&
				!ENGAGEMENT.test(normaliseHeader(c.name)) &&
				detectDateFormat(c.values, 0.95)
		);
		if (byValue) {
			mapping.orderDate = byValue.name;
			reasons.orderDate = `values of "${byValue.name}" look like dates`;
			taken.add(byValue.name);
		}
	}
	if (!mapping.amount) {
		// Only money-looking values (decimals or a currency sign) count: whole numbers could be ids or quantities.
		const byValue = columns.find(
			(c) =>
				!taken.has(c.name) &&
				!NOT_AMOUNT.test(normaliseHeader(c.name)) &&
				amountOf(c) !== null &&
				share(c.values, (v) => /[.,]\d{2}\s*$|[$€£¥₹]/.test(v)) > 0.5
		);
		if (byValue) {
			mapping.amount = byValue.name;
			reasons.amount = `values of "${byValue.name}" look like money`;
			taken.add(byValue.name);
		}
	}

	return {
		plan: {
			mapping,
			dateFormat: mapping.orderDate ? dateOf(columns.find((c) => c.name === mapping.orderDate)!) : null,
			amountFormat: mapping.amount ? amountOf(columns.find((c) => c.name === mapping.amount)!) : null,
			...(mapping.lastEngaged ? { engagedFormat: dateOf(columns.find((c) => c.name === mapping.lastEngaged)!) } : {})
		},
		reasons,
		missing: REQUIRED_FIELDS.filter((f) => mapping[f] === null)
	};
}

/**
 * The read plan for a mapping the user chose: formats are detected again for the chosen columns
 * (falling back to ISO dates and dot decimals when a column's sample reads as neither, so the
 * rows are excluded with a reason instead of the run failing).
 */
export function planForMapping(mapping: ColumnMapping, columns: readonly SampleColumn[]): ReadPlan {
	const valuesOf = (name: string | null) => columns.find((c) => c.name === name)?.values ?? [];
	return {
		mapping,
		dateFormat: mapping.orderDate ? (detectDateFormat(valuesOf(mapping.orderDate), 0) ?? { order: 'iso', pattern: '' }) : null,
		amountFormat: mapping.amount ? (detectAmountFormat(valuesOf(mapping.amount), 0) ?? { decimal: '.', plain: false }) : null,
		...(mapping.lastEngaged ? { engagedFormat: detectDateFormat(valuesOf(mapping.lastEngaged), 0) ?? { order: 'iso', pattern: '' } } : {})
	};
}
