/**
 * Olist's public e-commerce data comes as related tables. Dropped together, the orders file is
 * joined with the customers file (Olist's `customer_id` is per order; the person is
 * `customer_unique_id`) and with the payments file (summed per order) or, without payments, the
 * items file (price + freight per order). One row per order comes out, so the orders file's rows
 * are the rows accounted for.
 */
import { DEFAULT_READ_OPTIONS, type ColumnMapping, type ReadPlan } from './columns';
import { FileProblem } from '../errors';
import { ident } from '../sql';

export interface OlistFiles {
	orders: number;
	customers: number;
	payments: number | null;
	items: number | null;
	/** Columns of the joined relation. */
	columns: string[];
}

const ORDER_COLUMNS = ['order_id', 'customer_id', 'order_status', 'order_purchase_timestamp'];
const has = (columns: readonly string[], wanted: readonly string[]) => wanted.every((w) => columns.includes(w));

/**
 * Finds Olist's tables among the dropped files (by their columns), or null when the orders table
 * is not among them. An orders file without the customers file cannot name customers: that is a
 * message, not a guess.
 */
export function detectOlist(files: readonly { name: string; columns: readonly string[] }[]): OlistFiles | null {
	const find = (wanted: string[], not: string[] = []) => {
		const i = files.findIndex((f) => has(f.columns, wanted) && !not.some((n) => f.columns.includes(n)));
		return i < 0 ? null : i;
	};
	const orders = find(ORDER_COLUMNS);
	if (orders === null) return null;
	const customers = find(['customer_id', 'customer_unique_id']);
	if (customers === null) {
		throw new FileProblem(
			`Add olist_customers_dataset.csv to ${files[orders]!.name}: Olist gives every order its own customer_id, and the customer is customer_unique_id in the customers file.`
		);
	}
	const payments = find(['order_id', 'payment_value']);
	const items = find(['order_id', 'order_item_id', 'price']);
	if (payments === null && items === null) {
		throw new FileProblem(
			`Add olist_order_payments_dataset.csv (or olist_order_items_dataset.csv) to ${files[orders]!.name}: orders alone carry no amounts.`
		);
	}
	const used = new Set([orders, customers, payments, items].filter((i): i is number => i !== null));
	const extra = files.filter((_, i) => !used.has(i)).map((f) => f.name);
	if (extra.length > 0) {
		throw new FileProblem(
			`${extra.join(', ')} ${extra.length > 1 ? 'are' : 'is'} not needed for RFM: drop the Olist orders, customers and payments files only.`
		);
	}
	return {
		orders,
		customers,
		payments,
		items,
		columns: [
			'order_id',
			'customer_unique_id',
			'order_status',
			'order_purchase_timestamp',
			'order_value',
			'payment_type',
			'customer_city',
			'customer_state'
		]
	};
}

/** The joined relation, one row per order in the orders file's order. */
export function olistSql(files: OlistFiles, relation: (index: number) => string): string {
	const amounts =
		files.payments !== null
			? `SELECT order_id, CAST(sum(TRY_CAST(payment_value AS DOUBLE)) AS VARCHAR) AS order_value, string_agg(DISTINCT payment_type, ', ') AS payment_type
		FROM ${relation(files.payments)} GROUP BY order_id`
			: `SELECT order_id, CAST(sum(coalesce(TRY_CAST(price AS DOUBLE), 0) + coalesce(TRY_CAST(freight_value AS DOUBLE), 0)) AS VARCHAR) AS order_value,
		NULL::VARCHAR AS payment_type FROM ${relation(files.items!)} GROUP BY order_id`;
	const c = (name: string) => ident(name);
	return `(SELECT o.order_id, c.customer_unique_id, o.order_status, o.order_purchase_timestamp, a.order_value, a.payment_type,
	c.customer_city, c.customer_state
FROM (SELECT *, row_number() OVER () AS olist_row FROM ${relation(files.orders)}) AS o
LEFT JOIN (SELECT ${c('customer_id')}, any_value(customer_unique_id) AS customer_unique_id, any_value(customer_city) AS customer_city,
		any_value(customer_state) AS customer_state FROM ${relation(files.customers)} GROUP BY ${c('customer_id')}) AS c ON c.customer_id = o.customer_id
LEFT JOIN (${amounts}) AS a ON a.order_id = o.order_id
ORDER BY o.olist_row)`;
}

/** The plan for the joined relation, keeping the date and amount formats the detector found. */
export function olistPlan(detected: ReadPlan): ReadPlan {
	const mapping: ColumnMapping = {
		orderId: 'order_id',
		customerId: 'customer_unique_id',
		orderDate: 'order_purchase_timestamp',
		amount: 'order_value',
		lastEngaged: null,
		status: 'order_status',
		paymentMethod: 'payment_type',
		city: 'customer_city'
	};
	return {
		mapping,
		dateFormat: detected.dateFormat ?? { order: 'iso', pattern: '' },
		amountFormat: { decimal: '.', plain: true },
		options: { ...DEFAULT_READ_OPTIONS, excludedStatuses: ['canceled', 'cancelled', 'unavailable'] }
	};
}
