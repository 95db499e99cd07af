/**
 * Recognised export layouts: a platform's export is read with its own rules (which column is the
 * order, how refunds and cancellations count, where the customer is) with no questions asked.
 * A layout is recognised from the header names; the merchant sees its name and can switch to the
 * generic mapping.
 */
import {
	CORE_FIELDS,
	DEFAULT_READ_OPTIONS,
	EXTRA_FIELDS,
	type ColumnMapping,
	type OrderField,
	type ReadOptions,
	type SampleColumn
} from './columns';

export type LayoutId = 'generic' | 'shopify' | 'uci' | 'woocommerce' | 'cdnow' | 'olist';

export interface LayoutInfo {
	id: LayoutId;
	label: string;
	/** What the layout's rules do, in the merchant's words. */
	rules: string;
}

export const LAYOUTS: Record<LayoutId, LayoutInfo> = {
	generic: { id: 'generic', label: 'Order file', rules: 'Columns matched by their names and values.' },
	shopify: {
		id: 'shopify',
		label: 'Shopify orders export',
		rules:
			'One row per line item, the order is “Name”; its total is read once and refunds net out; cancelled, refunded and voided orders are not sales; an order without an email is known by its phone or billing name.'
	},
	uci: {
		id: 'uci',
		label: 'Invoice lines (UCI Online Retail style)',
		rules:
			'Amount = quantity × unit price per line, summed per invoice; invoices starting with “C” are cancellations that net out of revenue; rows without a customer id are guest purchases.'
	},
	woocommerce: {
		id: 'woocommerce',
		label: 'WooCommerce orders export',
		rules:
			'One row per item, the order total is read once and refunds net out; cancelled, refunded, failed and pending orders are not sales.'
	},
	cdnow: {
		id: 'cdnow',
		label: 'Transaction log (CDNOW style)',
		rules: 'Whitespace-separated columns: customer, date (YYYYMMDD), quantity, amount; each row is one purchase.'
	},
	olist: {
		id: 'olist',
		label: 'Olist orders with customers and payments',
		rules:
			'Orders joined with their customers (known by customer_unique_id) and payments (summed per order); canceled and unavailable orders are not sales.'
	}
};

/** A layout's reading of a file: the mapping and options it implies. */
export interface LayoutPlan {
	layout: LayoutId;
	mapping: ColumnMapping;
	options: ReadOptions;
}

const lower = (s: string) => s.trim().toLowerCase();

/** The file column named like one of `names` (case-insensitive), or null. */
function pick(columns: readonly string[], ...names: string[]): string | null {
	for (const name of names) {
		const found = columns.find((c) => lower(c) === name.toLowerCase());
		if (found) return found;
	}
	return null;
}

function has(columns: readonly string[], ...names: string[]): boolean {
	return names.every((n) => pick(columns, n) !== null);
}

function emptyMapping(): ColumnMapping {
	const mapping = {} as ColumnMapping;
	for (const f of [...CORE_FIELDS, ...EXTRA_FIELDS] as OrderField[]) mapping[f] = null;
	return mapping;
}

/**
 * Recognises a layout from the header names (and, for statuses, the sample values), or returns
 * null for the generic mapping. CDNOW and Olist are recognised elsewhere: CDNOW by its whitespace
 * columns (see `whitespace.ts`), Olist by its set of files (see `olist.ts`).
 */
export function detectLayout(sample: readonly SampleColumn[]): LayoutPlan | null {
	const columns = sample.map((c) => c.name);
	if (has(columns, 'Name', 'Financial Status', 'Lineitem quantity', 'Created at', 'Total')) return shopify(columns);
	if (
		(has(columns, 'InvoiceNo') || has(columns, 'Invoice')) &&
		has(columns, 'StockCode', 'Quantity', 'InvoiceDate') &&
		(has(columns, 'UnitPrice') || has(columns, 'Price')) &&
		(has(columns, 'CustomerID') || has(columns, 'Customer ID'))
	)
		return uci(columns);
	if (has(columns, 'Order Status', 'Order Date') && (has(columns, 'Order Total Amount') || has(columns, 'Order Total')))
		return woocommerce(columns);
	return null;
}

function shopify(columns: readonly string[]): LayoutPlan {
	const m = emptyMapping();
	Object.assign(m, {
		orderId: pick(columns, 'Name'),
		customerId: pick(columns, 'Email'),
		orderDate: pick(columns, 'Created at'),
		amount: pick(columns, 'Total'),
		quantity: pick(columns, 'Lineitem quantity'),
		unitPrice: pick(columns, 'Lineitem price'),
		status: pick(columns, 'Financial Status'),
		refunded: pick(columns, 'Refunded Amount'),
		cancelledAt: pick(columns, 'Cancelled at'),
		currency: pick(columns, 'Currency'),
		email: pick(columns, 'Email'),
		fullName: pick(columns, 'Billing Name'),
		phone: pick(columns, 'Phone', 'Billing Phone'),
		country: pick(columns, 'Billing Country'),
		city: pick(columns, 'Billing City'),
		channel: pick(columns, 'Source'),
		coupon: pick(columns, 'Discount Code'),
		paymentMethod: pick(columns, 'Payment Method'),
		acceptsMarketing: pick(columns, 'Accepts Marketing'),
		tags: pick(columns, 'Tags'),
		sku: pick(columns, 'Lineitem sku'),
		product: pick(columns, 'Lineitem name')
	} satisfies Partial<ColumnMapping>);
	return {
		layout: 'shopify',
		mapping: m,
		options: {
			...DEFAULT_READ_OPTIONS,
			amountLevel: 'order',
			// Partially refunded orders stay: their refunded amount nets out of the total.
			excludedStatuses: ['refunded', 'voided'],
			customerFallbacks: ['Phone', 'Billing Phone', 'Shipping Phone', 'Billing Name', 'Shipping Name']
				.map((n) => pick(columns, n))
				.filter((c): c is string => c !== null)
		}
	};
}

function uci(columns: readonly string[]): LayoutPlan {
	const m = emptyMapping();
	Object.assign(m, {
		orderId: pick(columns, 'InvoiceNo', 'Invoice'),
		customerId: pick(columns, 'CustomerID', 'Customer ID'),
		orderDate: pick(columns, 'InvoiceDate'),
		quantity: pick(columns, 'Quantity'),
		unitPrice: pick(columns, 'UnitPrice', 'Price'),
		country: pick(columns, 'Country'),
		sku: pick(columns, 'StockCode'),
		product: pick(columns, 'Description')
	} satisfies Partial<ColumnMapping>);
	return { layout: 'uci', mapping: m, options: { ...DEFAULT_READ_OPTIONS, cancelPrefix: 'C' } };
}

/** WooCommerce statuses that are not a sale (after `wc-` is dropped). */
const WOO_EXCLUDED = ['cancelled', 'refunded', 'failed', 'pending', 'pending payment', 'checkout-draft', 'draft', 'trash'];

function woocommerce(columns: readonly string[]): LayoutPlan {
	const m = emptyMapping();
	const email = pick(columns, 'Email (Billing)', 'Billing Email', 'Customer Email', 'Email');
	Object.assign(m, {
		orderId: pick(columns, 'Order Number', 'Order ID', 'Order #'),
		customerId: email ?? pick(columns, 'Customer User ID', 'Customer ID'),
		orderDate: pick(columns, 'Order Date'),
		amount: pick(columns, 'Order Total Amount', 'Order Total'),
		refunded: pick(columns, 'Order Refund Amount', 'Refund Amount'),
		status: pick(columns, 'Order Status'),
		quantity: pick(columns, 'Quantity', 'Qty'),
		unitPrice: pick(columns, 'Item Cost', 'Item Price'),
		currency: pick(columns, 'Order Currency', 'Currency'),
		email,
		firstName: pick(columns, 'First Name (Billing)', 'Billing First Name'),
		lastName: pick(columns, 'Last Name (Billing)', 'Billing Last Name'),
		phone: pick(columns, 'Phone (Billing)', 'Billing Phone'),
		country: pick(columns, 'Country Code (Billing)', 'Country (Billing)', 'Billing Country'),
		city: pick(columns, 'City (Billing)', 'Billing City'),
		coupon: pick(columns, 'Coupon Code', 'Coupons', 'Coupon Items'),
		paymentMethod: pick(columns, 'Payment Method Title', 'Payment Method'),
		channel: pick(columns, 'Created Via', 'Order Source'),
		sku: pick(columns, 'SKU'),
		product: pick(columns, 'Item Name', 'Product Name', 'Name'),
		category: pick(columns, 'Category', 'Product Categories', 'Categories')
	} satisfies Partial<ColumnMapping>);
	return {
		layout: 'woocommerce',
		mapping: m,
		options: { ...DEFAULT_READ_OPTIONS, amountLevel: 'order', excludedStatuses: [...WOO_EXCLUDED] }
	};
}
