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
export type CoreField = 'orderId' | 'customerId' | 'orderDate' | 'amount' | 'lastEngaged';

/**
 * Optional columns that enrich orders, lines and customers when the export has them: a quantity and
 * unit price (the amount is their product when there is no amount column), the order's status,
 * refunds and cancellation, and what the segment builder and exports use.
 */
export type ExtraField =
	| 'quantity'
	| 'unitPrice'
	| 'status'
	| 'refunded'
	| 'cancelledAt'
	| 'currency'
	| 'email'
	| 'firstName'
	| 'lastName'
	| 'fullName'
	| 'phone'
	| 'country'
	| 'city'
	| 'channel'
	| 'coupon'
	| 'paymentMethod'
	| 'acceptsMarketing'
	| 'tags'
	| 'sku'
	| 'product'
	| 'category';

export type OrderField = CoreField | ExtraField;

export const CORE_FIELDS: readonly CoreField[] = ['orderId', 'customerId', 'orderDate', 'amount', 'lastEngaged'];

export const EXTRA_FIELDS: readonly ExtraField[] = [
	'quantity',
	'unitPrice',
	'status',
	'refunded',
	'cancelledAt',
	'currency',
	'email',
	'firstName',
	'lastName',
	'fullName',
	'phone',
	'country',
	'city',
	'channel',
	'coupon',
	'paymentMethod',
	'acceptsMarketing',
	'tags',
	'sku',
	'product',
	'category'
];

export const ORDER_FIELDS: readonly OrderField[] = [...CORE_FIELDS, ...EXTRA_FIELDS];

/**
 * Fields without which no customer can be scored. The order id is optional: without it each row is
 * one order. The amount may instead come from a quantity and a unit price (see `missingFields`).
 */
export const REQUIRED_FIELDS: readonly OrderField[] = ['customerId', 'orderDate', 'amount'];

export const FIELD_LABELS: Record<OrderField, string> = {
	orderId: 'Order id',
	customerId: 'Customer',
	orderDate: 'Order date',
	amount: 'Order amount',
	lastEngaged: 'Last engagement',
	quantity: 'Quantity',
	unitPrice: 'Unit price',
	status: 'Order status',
	refunded: 'Refunded amount',
	cancelledAt: 'Cancelled at',
	currency: 'Currency',
	email: 'Email',
	firstName: 'First name',
	lastName: 'Last name',
	fullName: 'Full name',
	phone: 'Phone',
	country: 'Country',
	city: 'City',
	channel: 'Sales channel',
	coupon: 'Coupon code',
	paymentMethod: 'Payment method',
	acceptsMarketing: 'Accepts marketing',
	tags: 'Tags',
	sku: 'SKU',
	product: 'Product',
	category: 'Category'
};

/** Which file column feeds each field (by header name), or null when none does. */
export type ColumnMapping = Record<CoreField, string | null> & Partial<Record<ExtraField, string | null>>;

/** Required fields a mapping lacks. An amount is not missing when a quantity and a unit price are mapped. */
export function missingFields(mapping: ColumnMapping): OrderField[] {
	const amountBuilt = Boolean(mapping.quantity && mapping.unitPrice);
	return REQUIRED_FIELDS.filter((f) => !mapping[f] && !(f === 'amount' && amountBuilt));
}

/**
 * How rows become orders. Recognised layouts set these; the merchant can change them.
 * - `amountLevel`: `row` sums the amounts of an order's rows (line-item files with line amounts);
 *   `order` reads the order's total once (Shopify writes it on the first line only, WooCommerce on
 *   every line), and such files' customer, status and currency are read from any row of the order.
 * - `excludedStatuses`: statuses (lower case) that are not a sale: cancelled, refunded, failed…
 * - `cancelPrefix`: order ids starting with it are cancellations whose (negative) amounts net out
 *   of the customer's revenue (UCI Online Retail's `C536379`).
 * - `customerFallbacks`: columns that identify the customer when the customer column is empty
 *   (a Shopify order without an email is known by its phone or billing name).
 * - `currency`: when the file has several currencies, only orders in this one are scored (null:
 *   the most common).
 * - `zeroOrders`: an order with a zero total is `excluded` (a test or fully discounted order) or
 *   `counted` (transaction logs, where each row is a purchase, such as CDNOW's $0.00 rows).
 */
export interface ReadOptions {
	amountLevel: 'row' | 'order';
	/** The merchant's answer when day and month cannot be told apart from the data; null: as detected. */
	dateOrder?: 'dmy' | 'mdy' | null;
	zeroOrders: 'excluded' | 'counted';
	excludedStatuses: string[];
	cancelPrefix: string | null;
	customerFallbacks: string[];
	currency: string | null;
}

export const DEFAULT_READ_OPTIONS: ReadOptions = {
	amountLevel: 'row',
	zeroOrders: 'excluded',
	excludedStatuses: [],
	cancelPrefix: null,
	customerFallbacks: [],
	currency: null
};

/** Statuses that are not a completed sale in most shops' exports (compared in lower case). */
export const COMMON_EXCLUDED_STATUSES = [
	'cancelled',
	'canceled',
	'refunded',
	'voided',
	'failed',
	'declined',
	'pending',
	'pending payment',
	'draft',
	'checkout-draft',
	'test',
	'unavailable'
];

/** A mapping plus the formats chosen for the date, amount and engagement columns. */
export interface ReadPlan {
	mapping: ColumnMapping;
	dateFormat: DateFormat | null;
	/** The amount column's format, or the unit price's when the amount is quantity × price. */
	amountFormat: AmountFormat | null;
	/** The format of the last-engagement column; absent or null when there is none. */
	engagedFormat?: DateFormat | null;
	/** How rows become orders; absent: DEFAULT_READ_OPTIONS. */
	options?: ReadOptions;
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
const NAME_RULES: Record<CoreField, NameRule[]> = {
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

/** Header names of the optional fields, matched like NAME_RULES (normalised or squashed). */
const EXTRA_RULES: Record<ExtraField, RegExp> = {
	quantity: /^(quantity|qty|lineitem quantity|item quantity|units|quantity ordered|qty ordered|quantity \( refund\))$/,
	unitPrice: /^(unit ?price|unitprice|price|item price|lineitem price|item cost|price each|sale price|unit cost|price per unit)$/,
	status: /^(order status|status|financial status|payment status|order state|state)$/,
	refunded: /^(refunded amount|refund amount|order refund amount|refunds?|amount refunded|total refunded|refunded)$/,
	cancelledAt: /^(cancell?ed at|cancell?ed|cancellation date|cancell?ed date|cancell?ed on)$/,
	currency: /^(currency|currency code|order currency)$/,
	email: /^(e ?mail|email address|customer e ?mail|billing e ?mail|e ?mail billing|buyer e ?mail|e ?mail address)$/,
	firstName: /^(first name|firstname|given name|billing first name|first name billing|customer first name)$/,
	lastName: /^(last name|lastname|surname|family name|billing last name|last name billing|customer last name)$/,
	fullName: /^(billing name|customer name|full name|client name|shipping name)$/,
	phone: /^(phone|telephone|mobile|phone number|billing phone|phone billing|customer phone)$/,
	country: /^(country|billing country|country code|shipping country|country code billing|customer country|country billing)$/,
	city: /^(city|billing city|shipping city|customer city|city billing)$/,
	channel: /^(channel|sales channel|source|source name|order source|utm source|created via)$/,
	coupon: /^(coupon|coupon code|coupons|discount code|promo code|voucher|voucher code|coupon items|coupons used)$/,
	paymentMethod: /^(payment method|payment type|payment gateway|payment method title|gateway)$/,
	acceptsMarketing: /^(accepts marketing|accepts email marketing|marketing opt in|email marketing consent|newsletter|subscribed)$/,
	tags: /^(tags|customer tags|order tags)$/,
	sku: /^(sku|lineitem sku|stock ?code|stockcode|product sku|item sku)$/,
	product: /^(product|product name|lineitem name|item name|description|item|product title|item description)$/,
	category: /^(category|product category|categories|product type|department|product category name)$/
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

function nameScore(field: CoreField, header: string): number {
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
	// For columns whose header names a date: spreadsheet serial numbers may be read there (not in an
	// order number column, whose five-digit values are not dates).
	const dateOrSerialOf = (c: SampleColumn) => dateOf(c) ?? detectDateFormat(c.values, 0.8, true);
	const amountOf = (c: SampleColumn) => {
		if (!amountFormats.has(c.name)) amountFormats.set(c.name, detectAmountFormat(c.values));
		return amountFormats.get(c.name) ?? null;
	};
	const valuesFit: Record<CoreField, (c: SampleColumn) => boolean> = {
		orderDate: (c) => dateOrSerialOf(c) !== null,
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

	detectExtraColumns(columns, mapping, reasons);
	// A unit price next to a quantity is not the order's amount: the amount is their product
	// (UCI's `Quantity, UnitPrice`). A real total column ("Total", "Order Value") keeps the amount.
	if (mapping.quantity && mapping.amount && !mapping.unitPrice && EXTRA_RULES.unitPrice.test(normaliseHeader(mapping.amount))) {
		mapping.unitPrice = mapping.amount;
		reasons.unitPrice = `header "${mapping.amount}" next to a quantity`;
		mapping.amount = null;
		delete reasons.amount;
	}
	const priceColumn = mapping.amount ?? (mapping.quantity ? mapping.unitPrice : null) ?? null;
	return {
		plan: {
			mapping,
			dateFormat: mapping.orderDate ? dateOrSerialOf(columns.find((c) => c.name === mapping.orderDate)!) : null,
			amountFormat: priceColumn ? amountOf(columns.find((c) => c.name === priceColumn)!) : null,
			...(mapping.lastEngaged ? { engagedFormat: dateOf(columns.find((c) => c.name === mapping.lastEngaged)!) } : {}),
			options: defaultOptions(mapping, columns)
		},
		reasons,
		missing: missingFields(mapping)
	};
}

/**
 * Fills the optional fields from header names alone (their values are free text). A customer
 * column that holds emails also feeds the email field.
 */
function detectExtraColumns(columns: readonly SampleColumn[], mapping: ColumnMapping, reasons: Partial<Record<OrderField, string>>): void {
	const taken = new Set(CORE_FIELDS.map((f) => mapping[f]).filter((c): c is string => Boolean(c)));
	for (const field of EXTRA_FIELDS) {
		const column = columns.find((c) => {
			if (taken.has(c.name)) return false;
			const n = normaliseHeader(c.name);
			return EXTRA_RULES[field].test(n) || EXTRA_RULES[field].test(c.name.toLowerCase().replace(/[^a-z]/g, ''));
		});
		if (column) {
			mapping[field] = column.name;
			reasons[field] = `header "${column.name}"`;
			taken.add(column.name);
		} else {
			mapping[field] = null;
		}
	}
	if (!mapping.email && mapping.customerId) {
		const values = columns.find((c) => c.name === mapping.customerId)?.values ?? [];
		if (share(values, (v) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v.trim())) > 0.8) {
			mapping.email = mapping.customerId;
			reasons.email = `values of "${mapping.customerId}" are emails`;
		}
	}
}

/**
 * Read options for a generic file: statuses in the sample that are not a sale are excluded (the
 * merchant sees them and can change the choice).
 */
export function defaultOptions(mapping: ColumnMapping, columns: readonly SampleColumn[]): ReadOptions {
	const statuses = mapping.status ? distinctValues(columns, mapping.status) : [];
	return {
		...DEFAULT_READ_OPTIONS,
		excludedStatuses: statuses.filter((s) => COMMON_EXCLUDED_STATUSES.includes(normaliseStatus(s))).map(normaliseStatus)
	};
}

/** Status as compared: lower case, trimmed, WooCommerce's `wc-` prefix dropped. */
export function normaliseStatus(status: string): string {
	return status.trim().toLowerCase().replace(/^wc-/, '');
}

/** The distinct non-empty values of a sample column, in order of first appearance. */
export function distinctValues(columns: readonly SampleColumn[], name: string): string[] {
	const values = columns.find((c) => c.name === name)?.values ?? [];
	return [...new Set(values.map((v) => v.trim()).filter((v) => v !== ''))];
}

/**
 * The read plan for a mapping the user chose: formats are detected again for the chosen columns
 * (falling back to ISO dates and dot decimals when a column's sample reads as neither, so the
 * rows are excluded with a reason instead of the run failing).
 */
export function planForMapping(mapping: ColumnMapping, columns: readonly SampleColumn[], options?: ReadOptions): ReadPlan {
	const valuesOf = (name: string | null | undefined) => columns.find((c) => c.name === name)?.values ?? [];
	const priceColumn = mapping.amount ?? (mapping.quantity ? mapping.unitPrice : null) ?? null;
	return {
		mapping,
		options: options ?? defaultOptions(mapping, columns),
		dateFormat: mapping.orderDate ? (detectDateFormat(valuesOf(mapping.orderDate), 0, true) ?? { order: 'iso', pattern: '' }) : null,
		amountFormat: priceColumn ? (detectAmountFormat(valuesOf(priceColumn), 0) ?? { decimal: '.', plain: false }) : null,
		...(mapping.lastEngaged ? { engagedFormat: detectDateFormat(valuesOf(mapping.lastEngaged), 0) ?? { order: 'iso', pattern: '' } } : {})
	};
}
