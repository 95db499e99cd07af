/**
 * A shop's order export with the oddities merchants' files have, and the RFM numbers expected
 * from it, computed here in plain TypeScript from the CSV text — independently of the app's code.
 */
import { seededRandom } from '../../support/random';

/** The export's header, as a shop might write it. */
export const COLUMNS = {
	orderId: 'Order #',
	customer: 'Client Ref',
	date: 'Purchase Timestamp',
	amount: 'Order Value (EUR)',
	country: 'Country'
} as const;

const random = seededRandom;

const pad = (n: number) => String(n).padStart(2, '0');
const isoDay = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
const grouped = (n: number) => n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Writes an amount the way exports do: "€1,234.50", "EUR 45.00", "45.00", "€ 2,000.00". */
function writeAmount(value: number, style: number): string {
	switch (style % 4) {
		case 0:
			return `€${grouped(value)}`;
		case 1:
			return `EUR ${value.toFixed(2)}`;
		case 2:
			return value.toFixed(2);
		default:
			return `€ ${grouped(value)}`;
	}
}

/** Writes an order time the way exports do: with a time, an ISO offset, or a bare date. */
function writeDate(day: string, style: number): string {
	switch (style % 3) {
		case 0:
			return `${day} ${pad(8 + (style % 12))}:${pad((style * 7) % 60)}:05`;
		case 1:
			return `${day}T${pad(9 + (style % 10))}:15:00-04:00`;
		default:
			return day;
	}
}

function csvCell(value: string): string {
	return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
	return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/**
 * The fixture: 36 customers with 1 to 9 orders between 2023-01-02 and 2024-06-30, amounts
 * with currency signs and thousands separators, plus the rows a real export has:
 * - one order written as two line items (same Order #),
 * - a customer id with spaces around it,
 * - the latest order written as a late-evening time with a −07:00 offset (still 2024-06-30),
 * - two rows without a customer, two with an unreadable date, two with an unreadable amount
 *   (dated after every usable order, so counting them would move the analysis date).
 */
export function shopOrdersCsv(): string {
	const next = random(20240630);
	const countries = ['DE', 'FR', 'NL', 'BE', 'AT'];
	const start = Date.UTC(2023, 0, 2);
	const span = Date.UTC(2024, 5, 29) - start;
	const rows: string[][] = [];
	let orderNo = 10_001;
	let style = 0;
	for (let i = 0; i < 36; i++) {
		const customer = `C-${1001 + i}`;
		const orders = 1 + ((i * 7) % 9);
		for (let k = 0; k < orders; k++) {
			const day = isoDay(new Date(start + Math.floor((next() * span) / 86_400_000) * 86_400_000));
			const value = Math.round((5 + next() * (i % 5 === 0 ? 2400 : 300)) * 100) / 100;
			rows.push([`SO-${orderNo++}`, customer, writeDate(day, style), writeAmount(value, style), countries[i % 5]!]);
			style++;
		}
	}
	// Line items: one order over two rows, summed into one order of 25.50.
	rows.push(['SO-20001', 'C-1005', '2024-02-14 10:00:00', '€10.00', 'FR']);
	rows.push(['SO-20001', 'C-1005', '2024-02-14 10:00:00', '€15.50', 'FR']);
	rows.push(['SO-20002', '  C-1007 ', '2024-01-09', '€ 1,234.50', 'NL']);
	rows.push(['SO-20003', 'C-1012', '2024-06-30T23:30:00-07:00', '€99.99', 'FR']);
	// Rows the analysis must leave out, each for one reason.
	rows.push(['SO-30001', '', '2024-07-20 12:00:00', '€50.00', 'DE']);
	rows.push(['SO-30002', '   ', '2024-07-21', '€75.00', 'NL']);
	rows.push(['SO-30003', 'C-1003', 'unknown', '€20.00', 'DE']);
	rows.push(['SO-30004', 'C-1004', '2024-02-30', '€30.00', 'AT']);
	rows.push(['SO-30005', 'C-1001', '2024-07-22', 'n/a', 'DE']);
	rows.push(['SO-30006', 'C-1002', '2024-07-23', '', 'FR']);
	// Shuffle deterministically so the odd rows are not all at the end.
	for (let i = rows.length - 1; i > 0; i--) {
		const j = Math.floor(next() * (i + 1));
		[rows[i], rows[j]] = [rows[j]!, rows[i]!];
	}
	return toCsv(Object.values(COLUMNS), rows);
}

/** A small RFC 4180 CSV parser (quotes, doubled quotes, CRLF). */
export function parseCsv(text: string): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let cell = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const ch = text[i]!;
		if (quoted) {
			if (ch === '"' && text[i + 1] === '"') {
				cell += '"';
				i++;
			} else if (ch === '"') quoted = false;
			else cell += ch;
		} else if (ch === '"') quoted = true;
		else if (ch === ',') {
			row.push(cell);
			cell = '';
		} else if (ch === '\n' || ch === '\r') {
			if (ch === '\r' && text[i + 1] === '\n') i++;
			row.push(cell);
			rows.push(row);
			row = [];
			cell = '';
		} else cell += ch;
	}
	if (cell !== '' || row.length > 0) {
		row.push(cell);
		rows.push(row);
	}
	return rows;
}

/** The calendar date written at the start of a value (`2024-06-30T23:30:00-07:00` → 2024-06-30), or null. */
export function readDate(text: string): string | null {
	const m = /^\s*(\d{4})-(\d{2})-(\d{2})(?:$|[ T])/.exec(text);
	if (!m) return null;
	const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
	const date = new Date(Date.UTC(y, mo - 1, d));
	return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

/** An amount with a dot decimal, any currency sign or code and comma thousands, or null. */
export function readAmount(text: string): number | null {
	const digits = text.replace(/[^0-9.-]/g, '');
	return /\d/.test(digits) ? Number(digits) : null;
}

export const daysBetween = (from: string, to: string) =>
	Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

export interface ExpectedCustomer {
	customerId: string;
	firstOrder: string;
	lastOrder: string;
	recencyDays: number;
	frequency: number;
	monetary: number;
}

export interface ExpectedAnalysis {
	rowsRead: number;
	rowsUsed: number;
	excluded: { no_customer: number; unreadable_date: number; unreadable_amount: number };
	orders: number;
	revenue: number;
	firstOrder: string;
	lastOrder: string;
	analysisDate: string;
	customers: Map<string, ExpectedCustomer>;
}

/**
 * RFM as design.md defines it, from the CSV text and the columns chosen for each field: a row
 * is used when it has a customer, a readable date and a readable amount (checked in that order);
 * rows with the same order id of a customer are one order (earliest date, summed amount); the
 * analysis date is the day after the latest order; recency counts days from the last order.
 */
export function expectedAnalysis(
	csv: string,
	columns: { customer: string; date: string; amount: string; orderId?: string }
): ExpectedAnalysis {
	const [header = [], ...rows] = parseCsv(csv);
	const at = (name: string) => {
		const i = header.indexOf(name);
		if (i < 0) throw new Error(`no column ${name}`);
		return i;
	};
	const [ci, di, ai] = [at(columns.customer), at(columns.date), at(columns.amount)];
	const oi = columns.orderId ? at(columns.orderId) : -1;
	const excluded = { no_customer: 0, unreadable_date: 0, unreadable_amount: 0 };
	const orders = new Map<string, { customer: string; date: string; amount: number }>();
	rows.forEach((row, index) => {
		const customer = (row[ci] ?? '').trim();
		const date = readDate(row[di] ?? '');
		const amount = readAmount(row[ai] ?? '');
		if (!customer) excluded.no_customer++;
		else if (!date) excluded.unreadable_date++;
		else if (amount === null) excluded.unreadable_amount++;
		else {
			const orderId = oi >= 0 && (row[oi] ?? '').trim() !== '' ? row[oi]!.trim() : `#row ${index}`;
			const key = JSON.stringify([customer, orderId]);
			const order = orders.get(key);
			if (order) {
				order.amount += amount;
				if (date < order.date) order.date = date;
			} else orders.set(key, { customer, date, amount });
		}
	});
	const all = [...orders.values()];
	const lastOrder = all.reduce((m, o) => (o.date > m ? o.date : m), '0000-00-00');
	const firstOrder = all.reduce((m, o) => (o.date < m ? o.date : m), '9999-99-99');
	const analysisDate = nextDay(lastOrder);
	const customers = new Map<string, ExpectedCustomer>();
	for (const o of all) {
		const c = customers.get(o.customer) ?? {
			customerId: o.customer,
			firstOrder: o.date,
			lastOrder: o.date,
			recencyDays: 0,
			frequency: 0,
			monetary: 0
		};
		c.frequency++;
		c.monetary += o.amount;
		if (o.date < c.firstOrder) c.firstOrder = o.date;
		if (o.date > c.lastOrder) c.lastOrder = o.date;
		customers.set(o.customer, c);
	}
	for (const c of customers.values()) c.recencyDays = daysBetween(c.lastOrder, analysisDate);
	const rowsUsed = rows.length - excluded.no_customer - excluded.unreadable_date - excluded.unreadable_amount;
	return {
		rowsRead: rows.length,
		rowsUsed,
		excluded,
		orders: all.length,
		revenue: all.reduce((s, o) => s + o.amount, 0),
		firstOrder,
		lastOrder,
		analysisDate,
		customers
	};
}

/** The default R×F grid map from design.md: the segment of each recency and frequency score. */
export function gridSegment(r: number, f: number): string {
	if (r === 5 && f >= 4) return 'Champions';
	if (r >= 3 && r <= 4 && f >= 4) return 'Loyal';
	if (r >= 4 && f >= 2 && f <= 3) return 'Potential Loyalist';
	if (r === 5 && f === 1) return 'New Customers';
	if (r === 4 && f === 1) return 'Promising';
	if (r === 3 && f === 3) return 'Need Attention';
	if (r === 3 && f <= 2) return 'About To Sleep';
	if (r <= 2 && f >= 3 && f <= 4) return 'At Risk';
	if (r <= 2 && f === 5) return "Can't Lose Them";
	return 'Hibernating';
}

/** Numbers as the page writes them in an en-US browser. */
export const en = {
	count: (n: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(n),
	money: (n: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n),
	date: (iso: string) =>
		new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(
			new Date(`${iso}T00:00:00Z`)
		)
};

/** A file for `setInputFiles` / `dropFile`. */
export function csvFile(name: string, text: string): { name: string; mimeType: string; buffer: Buffer } {
	return { name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') };
}
