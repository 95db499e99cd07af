import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	DEFAULT_READ_OPTIONS,
	detectColumns,
	missingFields,
	normaliseHeader,
	planForMapping,
	type SampleColumn
} from '../../src/lib/ingest/columns';
import { inspectCsv } from '../../src/lib/ingest/pipeline';
import { openWasmDb, type WasmTestDb } from './duckdb-wasm-node';

const data = resolve(import.meta.dirname, '../reference');

/** Builds sample columns from a header and rows of text, as the preview query returns them. */
function table(header: string[], rows: string[][]): SampleColumn[] {
	return header.map((name, i) => ({ name, values: rows.map((r) => r[i] ?? '') }));
}

describe('normaliseHeader', () => {
	it('lower-cases, splits camel case and drops units in parentheses', () => {
		expect(normaliseHeader('Order Value (EUR)')).toBe('order value');
		expect(normaliseHeader('InvoiceNo')).toBe('invoice no');
		expect(normaliseHeader('CustomerID')).toBe('customer id');
		expect(normaliseHeader('order_purchase_timestamp')).toBe('order purchase timestamp');
		expect(normaliseHeader('  Total [USD] ')).toBe('total');
		expect(normaliseHeader('Order #')).toBe('order #');
	});
});

describe('detectColumns', () => {
	it('reads a header with Client Ref, Purchase Timestamp, Order Value (EUR) and Order #', () => {
		const d = detectColumns(
			table(
				['Order #', 'Client Ref', 'Purchase Timestamp', 'Order Value (EUR)', 'Items'],
				[
					['A-1001', 'C-17', '2024-03-01 10:15:00', '€1.234,50', '3'],
					['A-1002', 'C-18', '2024-03-02 11:00:00', '€12,00', '1'],
					['A-1003', 'C-17', '2024-03-05 09:30:00', '€7,50', '2']
				]
			)
		);
		expect(d.plan.mapping).toMatchObject({
			orderId: 'Order #',
			customerId: 'Client Ref',
			orderDate: 'Purchase Timestamp',
			amount: 'Order Value (EUR)',
			lastEngaged: null
		});
		expect(d.plan.dateFormat).toEqual({ order: 'iso', pattern: '' });
		expect(d.plan.amountFormat).toEqual({ decimal: ',', plain: false });
		expect(d.missing).toEqual([]);
		expect(d.reasons.customerId).toBe('header "Client Ref"');
	});

	it('reads UCI-style names: InvoiceNo, InvoiceDate, CustomerID, and not Quantity as the amount', () => {
		const d = detectColumns(
			table(
				['InvoiceNo', 'StockCode', 'Quantity', 'InvoiceDate', 'CustomerID', 'Country', 'Total'],
				[
					['536365', '85123A', '6', '12/1/2010 8:26', '17850', 'United Kingdom', '15.30'],
					['536366', '71053', '8', '12/1/2010 8:28', '17850', 'United Kingdom', '22.00'],
					['536367', '84406B', '2', '12/13/2010 9:01', '13047', 'United Kingdom', '5.50']
				]
			)
		);
		expect(d.plan.mapping).toMatchObject({
			orderId: 'InvoiceNo',
			customerId: 'CustomerID',
			orderDate: 'InvoiceDate',
			amount: 'Total',
			lastEngaged: null
		});
		expect(d.plan.dateFormat).toEqual({ order: 'mdy', pattern: '%m/%d/%Y' });
	});

	it('reads Invoice, Email and Revenue', () => {
		const d = detectColumns(
			table(
				['Invoice', 'Email', 'Date', 'Revenue'],
				[
					['INV-1', 'ann@example.com', '31.12.2010', '12,50'],
					['INV-2', 'bob@example.com', '01.01.2011', '3,00']
				]
			)
		);
		expect(d.plan.mapping).toMatchObject({
			orderId: 'Invoice',
			customerId: 'Email',
			orderDate: 'Date',
			amount: 'Revenue',
			lastEngaged: null
		});
		expect(d.plan.dateFormat).toEqual({ order: 'dmy', pattern: '%d.%m.%Y' });
	});

	it('reads Olist-style snake case: Customer ID, order_purchase_timestamp, Total', () => {
		const d = detectColumns(
			table(
				['order_id', 'Customer ID', 'order_status', 'order_purchase_timestamp', 'order_delivered_customer_date', 'Total'],
				[
					['e481f51c', '9ef432eb', 'delivered', '2017-10-02 10:56:33', '2017-10-10 21:25:13', '38.71'],
					['53cdb2fc', 'b0830fb4', 'delivered', '2018-07-24 20:41:37', '2018-08-07 15:27:45', '141.46']
				]
			)
		);
		expect(d.plan.mapping).toMatchObject({
			orderId: 'order_id',
			customerId: 'Customer ID',
			orderDate: 'order_purchase_timestamp',
			amount: 'Total',
			lastEngaged: null
		});
	});

	it('prefers a customer id over an email, and an order date over a shipping date', () => {
		const d = detectColumns(
			table(
				['Email', 'Shipping date', 'Customer ID', 'Order Date', 'Total'],
				[
					['a@x.com', '2024-01-03', '1', '2024-01-01', '10.00'],
					['b@x.com', '2024-01-04', '2', '2024-01-02', '12.00']
				]
			)
		);
		expect(d.plan.mapping).toMatchObject({ customerId: 'Customer ID', orderDate: 'Order Date', amount: 'Total' });
	});

	it('reports a missing order date when no column holds one, and never takes the shipping date', () => {
		const noDate = detectColumns(
			table(
				['Customer ID', 'Total', 'Country'],
				[
					['1', '10.00', 'DE'],
					['2', '12.00', 'FR']
				]
			)
		);
		expect(noDate.missing).toEqual(['orderDate']);
		expect(noDate.plan.mapping.orderDate).toBeNull();
		expect(noDate.plan.dateFormat).toBeNull();

		const onlyShipping = detectColumns(
			table(
				['Customer ID', 'Shipping date', 'Total'],
				[
					['1', '2024-01-03', '10.00'],
					['2', '2024-01-04', '12.00']
				]
			)
		);
		expect(onlyShipping.missing).toEqual(['orderDate']);
	});

	it('finds an unnamed date column by its values when no header says date', () => {
		const d = detectColumns(
			table(
				['Kunde', 'Zeitpunkt', 'Summe'],
				[
					['k1', '2024-01-03 10:00', '10.00'],
					['k2', '2024-01-04 11:00', '12.00']
				]
			)
		);
		expect(d.plan.mapping.orderDate).toBe('Zeitpunkt');
		expect(d.reasons.orderDate).toBe('values of "Zeitpunkt" look like dates');
	});

	it('does not take Tax, Taxes, Quantity, Zip or Shipping as the amount', () => {
		const header = ['Customer ID', 'Order Date', 'Zip', 'Quantity', 'Tax', 'Taxes', 'Shipping'];
		const rows = [
			['1', '2024-01-01', '10115', '2', '1.90', '1.90', '4.95'],
			['2', '2024-01-02', '75001', '1', '0.95', '0.95', '4.95']
		];
		const d = detectColumns(table(header, rows));
		expect(d.plan.mapping.amount).toBeNull();
		expect(d.missing).toEqual(['amount']);
		expect(d.plan.mapping.orderDate).toBe('Order Date');

		// With a money column under a name we do not know, the values decide, and the taxes still lose.
		const withAmount = detectColumns(
			table(
				[...header, 'Betrag'],
				rows.map((r, i) => [...r, ['€19,90', '€9,50'][i]!])
			)
		);
		expect(withAmount.plan.mapping.amount).toBe('Betrag');
		expect(withAmount.reasons.amount).toBe('values of "Betrag" look like money');
	});

	it('vetoes a date header whose values are not dates', () => {
		const d = detectColumns(
			table(
				['Customer', 'Date', 'Created', 'Amount'],
				[
					['a', 'yesterday', '2024-01-01', '5'],
					['b', 'last week', '2024-01-02', '6']
				]
			)
		);
		expect(d.plan.mapping.orderDate).toBe('Created');
	});

	it('does not take a Name column of people as the order id', () => {
		const d = detectColumns(
			table(
				['Name', 'Email', 'Order Date', 'Total'],
				[
					['Ann Lee', 'a@x.com', '2024-01-01', '10.00'],
					['Bob Roy', 'b@x.com', '2024-01-02', '12.00']
				]
			)
		);
		expect(d.plan.mapping.orderId).toBeNull();
		expect(d.plan.mapping.customerId).toBe('Email');
	});

	it('leaves the order id to an empty-ish column only when it is filled', () => {
		const d = detectColumns(
			table(
				['Order ID', 'Customer ID', 'Order Date', 'Total'],
				[
					['', '1', '2024-01-01', '10.00'],
					['', '2', '2024-01-02', '12.00'],
					['', '3', '2024-01-03', '12.00']
				]
			)
		);
		expect(d.plan.mapping.orderId).toBeNull();
		expect(d.missing).toEqual([]);
	});
});

describe('detectColumns: the optional last-engagement column', () => {
	const row = (...values: string[]) => values;

	it('takes "Last Email Click" for engagement, never for the order date, and reads its own format', () => {
		const d = detectColumns(
			table(
				['Last Email Click', 'Order ID', 'Customer', 'Order Date', 'Total'],
				[row('12/25/2024 09:15', 'A1', 'ann', '2024-12-02', '50.00'), row('', 'B1', 'bob', '2024-06-10', '30.00')]
			)
		);
		expect(d.plan.mapping).toMatchObject({
			orderId: 'Order ID',
			customerId: 'Customer',
			orderDate: 'Order Date',
			amount: 'Total',
			lastEngaged: 'Last Email Click'
		});
		expect(d.plan.engagedFormat).toEqual({ order: 'mdy', pattern: '%m/%d/%Y' });
		expect(d.reasons.lastEngaged).toBe('header "Last Email Click"');
	});

	it.each([
		'Last visit',
		'Last Open Date',
		'last_seen_at',
		'LastLogin',
		'Last login (UTC)',
		'last_engaged_at',
		'Last Engagement',
		'Date of last activity',
		'Last e-mail opened'
	])('recognises %s', (header) => {
		const d = detectColumns(table(['customer_id', header, 'created_at', 'amount'], [row('c1', '2024-05-01', '2024-04-01', '10')]));
		expect(d.plan.mapping.lastEngaged).toBe(header);
		expect(d.plan.mapping.orderDate).toBe('created_at');
	});

	it('does not let an engagement column stand in for the order date or the customer', () => {
		// No order date header: the value check finds "When", not the engagement dates before it.
		const byValue = detectColumns(table(['Last login', 'When', 'Customer', 'Total'], [row('2024-05-01', '2024-04-01', 'c1', '10.50')]));
		expect(byValue.plan.mapping).toMatchObject({ orderDate: 'When', lastEngaged: 'Last login' });
		// Only engagement dates: the order date is missing rather than wrong.
		const none = detectColumns(table(['Last email open', 'Total'], [row('2024-05-01', '10.50')]));
		expect(none.plan.mapping).toMatchObject({ orderDate: null, customerId: null, lastEngaged: 'Last email open' });
		expect(none.missing).toEqual(['customerId', 'orderDate']);
	});

	it('leaves engagement empty when the column is not dates, or is about orders', () => {
		const text = detectColumns(
			table(['Customer', 'Order Date', 'Total', 'Last activity'], [row('c1', '2024-04-01', '10', 'opened email')])
		);
		expect(text.plan.mapping.lastEngaged).toBeNull();
		expect(text.plan.engagedFormat).toBeUndefined();
		const orders = detectColumns(table(['Customer', 'Last order date', 'Total'], [row('c1', '2024-04-01', '10')]));
		expect(orders.plan.mapping).toMatchObject({ orderDate: 'Last order date', lastEngaged: null });
	});
});

describe('planForMapping', () => {
	const columns = table(
		['a', 'b', 'c'],
		[
			['x', '25/12/2010', '1.234,50'],
			['y', '01/01/2011', '7,00']
		]
	);

	it('detects the formats of the chosen columns', () => {
		expect(planForMapping({ orderId: null, customerId: 'a', orderDate: 'b', amount: 'c', lastEngaged: null }, columns)).toEqual({
			mapping: { orderId: null, customerId: 'a', orderDate: 'b', amount: 'c', lastEngaged: null },
			dateFormat: { order: 'dmy', pattern: '%d/%m/%Y' },
			amountFormat: { decimal: ',', plain: false },
			options: DEFAULT_READ_OPTIONS
		});
	});

	it('builds the amount from quantity × unit price when there is no amount column, with the format of the price column', () => {
		const lines = table(
			['InvoiceNo', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID'],
			[
				['536365', '6', '12/1/2010 8:26', '2,55', '17850'],
				['536366', '8', '12/1/2010 8:28', '3,39', '17850'],
				['536367', '2', '12/13/2010 9:01', '1,85', '13047']
			]
		);
		const d = detectColumns(lines);
		expect(d.plan.mapping).toMatchObject({ amount: null, quantity: 'Quantity', unitPrice: 'UnitPrice' });
		expect(d.plan.amountFormat).toEqual({ decimal: ',', plain: false });
		expect(d.missing).toEqual([]);
		expect(missingFields({ ...d.plan.mapping, unitPrice: null })).toEqual(['amount']);
	});

	it('detects the format of a chosen engagement column', () => {
		expect(
			planForMapping({ orderId: null, customerId: 'a', orderDate: 'b', amount: 'c', lastEngaged: 'b' }, columns).engagedFormat
		).toEqual({
			order: 'dmy',
			pattern: '%d/%m/%Y'
		});
	});

	it('falls back to ISO dates and dot decimals for columns that read as neither', () => {
		const plan = planForMapping({ orderId: null, customerId: 'b', orderDate: 'a', amount: 'a', lastEngaged: null }, columns);
		expect(plan.dateFormat).toEqual({ order: 'iso', pattern: '' });
		expect(plan.amountFormat).toEqual({ decimal: '.', plain: false });
	});
});

describe('detectColumns on real exports', () => {
	let db: WasmTestDb;
	beforeAll(async () => {
		db = await openWasmDb();
		db.registerFile('shopify.csv', resolve(data, 'shopify/orders_export_forezia_devstore.csv'));
		db.registerFile('rfm.csv', resolve(data, 'rfm-r/rfm_data_orders.csv'));
	});
	afterAll(() => db.close());

	it("maps Shopify's export: Name is the order, Email the customer, Created at the date, Total the amount", async () => {
		const { dialect, detection } = await inspectCsv(db, 'shopify.csv');
		expect(dialect.columns).toHaveLength(79);
		expect(detection.plan).toMatchObject({
			mapping: { orderId: 'Name', customerId: 'Email', orderDate: 'Created at', amount: 'Total', lastEngaged: null },
			dateFormat: { order: 'iso', pattern: '' },
			amountFormat: { decimal: '.', plain: true }
		});
		expect(detection.missing).toEqual([]);
	});

	it("maps the R rfm package's order file", async () => {
		const { detection } = await inspectCsv(db, 'rfm.csv');
		expect(detection.plan).toMatchObject({
			mapping: { orderId: null, customerId: 'customer_id', orderDate: 'order_date', amount: 'revenue', lastEngaged: null },
			dateFormat: { order: 'iso', pattern: '' },
			amountFormat: { decimal: '.', plain: true }
		});
	});
});
