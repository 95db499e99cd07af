/**
 * The customers behind a number on screen: a matrix cell, an RFM segment or a behaviour segment,
 * a page at a time, and as a CSV export.
 */
import { journeyCustomersSql, type JourneyCustomers } from '../journeys/journey-customers';
import { num, str } from '../sql';
import { customersExportSql } from './analysis';
import type { SqlRunner } from '../db/runner';
import { behaviourConditionSql } from './behaviour';
import type { RuleSet } from './types';
import type { HistoryState } from '../history/as-of';
import { stateConditionSql } from '../history/migration';
import type { SegmentDefinition } from '../builder/definition';
import { BUILDER_SELECTION, CUSTOMER_BEHAVIOUR, CUSTOMER_SCORES, HISTORY_MIGRATION } from '../db/tables';

/**
 * Which customers: everyone, an RFM segment, an R×F matrix cell, a behaviour segment (`tier:Gold` for a tier),
 * or a segment built in the builder (the engine fills `builder_selection` with its customers first).
 */
export type CustomerSelection =
	| { kind: 'all' }
	| { kind: 'segment'; segment: string }
	| { kind: 'cell'; r: number; f: number }
	| { kind: 'behaviour'; id: string }
	/** The customers of one migration flow: in state `was` on `from`, in `now` on `to` (needs `history_migration` for those dates). */
	| { kind: 'migration'; from: string; to: string; was: HistoryState; now: HistoryState }
	| { kind: 'builder'; name: string; definition: SegmentDefinition }
	/** The customers behind a number of a repeat-purchase view (needs the journey tables of its date and level). */
	| { kind: 'journey'; label: string; customers: JourneyCustomers };

/** One scored customer. Dates are ISO `YYYY-MM-DD`; `revenue` is total net revenue whatever `monetary` means. */
export interface CustomerRow {
	customer_id: string;
	first_order: string;
	last_order: string;
	recency_days: number;
	frequency: number;
	monetary: number;
	revenue: number;
	r: number;
	f: number;
	m: number;
	rfm: number;
	segment: string;
	/** Behaviour selections only: the expected next order date (null when nothing can be expected). */
	next_order_due?: string | null;
	/** Behaviour selections only: the revenue tier (null below the lowest tier). */
	tier?: string | null;
}

export const CUSTOMER_SORT_KEYS = [
	'customer_id',
	'first_order',
	'last_order',
	'recency_days',
	'frequency',
	'monetary',
	'revenue',
	'rfm',
	'segment'
] as const;
export type CustomerSortKey = (typeof CUSTOMER_SORT_KEYS)[number];

export interface CustomerListOptions {
	/** Rows per page, 1 to 10,000. */
	limit: number;
	/** Rows to skip (default 0). */
	offset?: number;
	/** Default: highest revenue first. Ties are broken by customer id (ascending), so pages do not overlap. */
	sort?: { by: CustomerSortKey; descending?: boolean };
}

export interface CustomerPage {
	/** Customers in the selection (all pages). */
	total: number;
	rows: CustomerRow[];
}

export const MAX_PAGE = 10_000;

/** True when the selection needs `customer_behaviour` (built by `computeBehaviour`). */
export function needsBehaviour(selection: CustomerSelection): boolean {
	return selection.kind === 'behaviour';
}

function whole(value: number, what: string): string {
	if (!Number.isSafeInteger(value)) throw new Error(`${what} must be a whole number, not ${value}.`);
	return num(value);
}

/**
 * The condition on `customer_scores s` (joined with `customer_behaviour b` for behaviour
 * selections) that picks the selection's customers. Segment names are merchants' text: literals.
 */
export function selectionConditionSql(selection: CustomerSelection): string {
	switch (selection.kind) {
		case 'all':
			return 'true';
		case 'segment':
			return `s.segment = ${str(selection.segment)}`;
		case 'cell':
			return `s.r = ${whole(selection.r, 'The recency score')} AND s.f = ${whole(selection.f, 'The frequency score')}`;
		case 'behaviour':
			return `(${behaviourConditionSql(selection.id, 'b')})`;
		case 'migration':
			return `s.customer_id IN (SELECT customer_id FROM ${HISTORY_MIGRATION} WHERE ${stateConditionSql('from', selection.was)} AND ${stateConditionSql('to', selection.now)})`;
		case 'journey':
			return `s.customer_id IN (${journeyCustomersSql(selection.customers)})`;
		case 'builder':
			// Bound values cannot go in this text: the engine runs the segment's prepared statement into builder_selection first.
			return `s.customer_id IN (SELECT customer_id FROM ${BUILDER_SELECTION})`;
		default:
			throw new Error(`Unknown selection ${JSON.stringify(selection satisfies never)}`);
	}
}

function fromSql(selection: CustomerSelection): string {
	return needsBehaviour(selection)
		? `${CUSTOMER_SCORES} s JOIN ${CUSTOMER_BEHAVIOUR} b ON b.customer_id = s.customer_id`
		: `${CUSTOMER_SCORES} s`;
}

/** The number of customers in the selection, as `total`. */
export function customerCountSql(selection: CustomerSelection): string {
	return `SELECT CAST(count(*) AS DOUBLE) AS total FROM ${fromSql(selection)} WHERE ${selectionConditionSql(selection)}`;
}

const SORT_COLUMN: Record<CustomerSortKey, string> = {
	customer_id: 's.customer_id',
	first_order: 's.first_order',
	last_order: 's.last_order',
	recency_days: 's.recency_days',
	frequency: 's.frequency',
	monetary: 's.monetary',
	revenue: 'round(s.revenue, 4)',
	rfm: 's.rfm',
	segment: 's.segment'
};

/** One page of the selection's customers. */
export function customerPageSql(selection: CustomerSelection, options: CustomerListOptions): string {
	const limit = options.limit;
	const offset = options.offset ?? 0;
	if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE)
		throw new Error(`A page holds 1 to ${MAX_PAGE} customers, not ${limit}.`);
	if (!Number.isSafeInteger(offset) || offset < 0) throw new Error(`The offset must be a whole number of 0 or more, not ${offset}.`);
	const sort = options.sort ?? { by: 'revenue', descending: true };
	const column = SORT_COLUMN[sort.by];
	if (!column) throw new Error(`Customers cannot be sorted by ${String(sort.by)}.`);
	const direction = sort.descending ? 'DESC' : 'ASC';
	const behaviour = needsBehaviour(selection) ? `, strftime(b.next_order_due, '%Y-%m-%d') AS next_order_due, b.tier` : '';
	return `SELECT s.customer_id, strftime(s.first_order, '%Y-%m-%d') AS first_order, strftime(s.last_order, '%Y-%m-%d') AS last_order,
	s.recency_days, s.frequency, s.monetary, CAST(s.revenue AS DOUBLE) AS revenue, s.r, s.f, s.m, s.rfm, s.segment${behaviour}
FROM ${fromSql(selection)}
WHERE ${selectionConditionSql(selection)}
ORDER BY ${column} ${direction}${sort.by === 'customer_id' ? '' : ', s.customer_id'}
LIMIT ${num(limit)} OFFSET ${num(offset)}`;
}

/** The selection's customers, a page at a time. Behaviour selections need `computeBehaviour` first. */
export async function listCustomers(db: SqlRunner, selection: CustomerSelection, options: CustomerListOptions): Promise<CustomerPage> {
	const page = customerPageSql(selection, options);
	const [count] = await db.rows<{ total: number }>(customerCountSql(selection));
	return { total: count?.total ?? 0, rows: await db.rows<CustomerRow>(page) };
}

/**
 * First and last name for exports from `customers c`: the file's own, or the full name (Shopify's
 * Billing Name) split at its first space, as the e-mail tool list does (builder/audience.ts, namesOf).
 */
const FULL_NAME = `regexp_replace(trim(c.name), '\\s+', ' ', 'g')`;
const NO_NAMES = `nullif(trim(c.first_name), '') IS NULL AND nullif(trim(c.last_name), '') IS NULL`;
export const CONTACT_EXPORT_COLUMNS = `c.email AS email,
	CASE WHEN ${NO_NAMES} THEN nullif(split_part(${FULL_NAME}, ' ', 1), '') ELSE nullif(trim(c.first_name), '') END AS first_name,
	CASE WHEN ${NO_NAMES} THEN nullif(substr(${FULL_NAME}, strpos(${FULL_NAME}, ' ') + 1), ${FULL_NAME}) ELSE nullif(trim(c.last_name), '') END AS last_name`;

/**
 * The customer export (`customersExportSql`'s columns, segment words from the rule set scoring
 * used) for the selection's customers; with `contacts` (the file has a `customers` table) their
 * email, first and last name follow; behaviour selections add `next_order_due` and `tier`.
 */
export function selectionExportSql(selection: CustomerSelection, ruleSet: RuleSet, contacts = false): string {
	const chosen = `SELECT s.customer_id FROM ${fromSql(selection)} WHERE ${selectionConditionSql(selection)}`;
	const contact = contacts ? `, ${CONTACT_EXPORT_COLUMNS}` : '';
	const joinContacts = contacts ? 'LEFT JOIN customers c ON c.customer_id = e.customer_id' : '';
	if (!needsBehaviour(selection)) {
		return `SELECT e.*${contact} FROM (${customersExportSql(ruleSet)}) e ${joinContacts}
WHERE e.customer_id IN (${chosen}) ORDER BY e.customer_id`;
	}
	return `SELECT e.*${contact}, strftime(b.next_order_due, '%Y-%m-%d') AS next_order_due, b.tier
FROM (${customersExportSql(ruleSet)}) e JOIN ${CUSTOMER_BEHAVIOUR} b ON b.customer_id = e.customer_id ${joinContacts}
WHERE e.customer_id IN (${chosen}) ORDER BY e.customer_id`;
}
