/**
 * A small store export in the demo layout of the contract (one row per line item, with the richer
 * columns), and what the builder must find in it, computed here without SQL from the base columns
 * (customer, order, date, line total) so the tests hold before and after the richer ingest lands.
 */
import { seededRandom } from '../../support/random.ts';
import { daysBetween } from './orders.ts';

export const STORE_HEADER =
	'order_id,customer_id,email,first_name,last_name,phone,ordered_at,status,currency,channel,coupon,country,city,payment_method,accepts_marketing,tags,sku,product,category,quantity,unit_price,line_total';

export interface StoreCustomer {
	id: string;
	email: string;
	firstName: string;
	lastName: string;
	phone: string;
	orders: number;
	/** Cents, to sum exactly. */
	revenueCents: number;
	lastOrder: string;
}

const FIRST = ['Ann', 'Zoë', 'Bob', 'Çelik', 'Dee'];
const LAST = ["O'Neil", 'Lee', 'Smith-Jones', 'Ng', 'Müller'];
const CATEGORIES = ['Tea', 'Cups', 'Pots'];

const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
const iso = (day: number) => new Date(Date.UTC(2025, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);

/** The CSV text and every customer as the test expects to find them. */
export function storeOrders(count = 40): { csv: string; customers: StoreCustomer[]; analysisDate: string } {
	const random = seededRandom(5);
	const lines: string[] = [STORE_HEADER];
	const customers: StoreCustomer[] = [];
	let orderNo = 1000;
	// The first customers of a smaller store are the same as in a bigger one (same random draws, in order).
	for (let i = 0; i < count; i++) {
		// Customer ids are email addresses (files of the base columns often key customers so); some at gmail with dots.
		const email = i % 4 === 0 ? `ann.lee.${i}@gmail.com` : `customer${i}@example.com`;
		const c: StoreCustomer = {
			id: email,
			email,
			firstName: FIRST[i % FIRST.length]!,
			lastName: LAST[i % LAST.length]!,
			phone: `+1 (555) 010-${String(1000 + i)}`,
			orders: 1 + ((i * 7) % 5),
			revenueCents: 0,
			lastOrder: ''
		};
		for (let k = 0; k < c.orders; k++) {
			const day = Math.floor(random() * 180);
			const order = `#${orderNo++}`;
			const when = `${iso(day)} ${String(8 + (k % 10)).padStart(2, '0')}:15:00`;
			if (iso(day) > c.lastOrder) c.lastOrder = iso(day);
			const items = 1 + (k % 3);
			for (let j = 0; j < items; j++) {
				const quantity = 1 + ((i + j) % 3);
				const priceCents = 500 + Math.floor(random() * 5000);
				const total = quantity * priceCents;
				c.revenueCents += total;
				const category = CATEGORIES[(i + j + k) % CATEGORIES.length]!;
				lines.push(
					[
						order,
						quote(c.id),
						quote(c.email),
						quote(c.firstName),
						quote(c.lastName),
						quote(c.phone),
						when,
						'paid',
						'USD',
						i % 2 ? 'web' : 'pos',
						k === 1 ? 'SPRING10' : '',
						'US',
						'Springfield',
						'card',
						i % 3 ? 'yes' : 'no',
						quote(i % 5 === 0 ? 'vip, wholesale' : ''),
						`${category.toUpperCase()}-${j}`,
						`${category} ${j}`,
						category,
						String(quantity),
						(priceCents / 100).toFixed(2),
						(total / 100).toFixed(2)
					].join(',')
				);
			}
		}
		customers.push(c);
	}
	const last = customers.reduce((m, c) => (c.lastOrder > m ? c.lastOrder : m), '');
	const analysisDate = new Date(Date.parse(`${last}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
	return { csv: `${lines.join('\n')}\n`, customers, analysisDate };
}

/** Whole days from the customer's last order to the analysis date. */
export const recencyOf = (c: StoreCustomer, analysisDate: string) => daysBetween(c.lastOrder, analysisDate);
