/**
 * Exports for email tools and ad platforms. Emails, phones and names are normalised by each
 * platform's published rules and hashed with SHA-256 (Web Crypto) in the browser, so the file a
 * merchant uploads to Meta or Google holds no plain contact details, and nothing is sent anywhere.
 *
 * Meta (Customer list custom audiences, "Prepare your customer list" / hashing):
 *   email trimmed and lower-cased; phone digits only with the country code, no `+` or leading zeros;
 *   fn / ln lower-cased a–z with punctuation removed (other letters kept, UTF-8); country the
 *   lower-case ISO 3166-1 alpha-2 code. Every one of these is hashed. Header: email,phone,fn,ln,country.
 * Google Ads (Customer Match "Formatting guidelines" for hashed upload files):
 *   email trimmed and lower-cased, periods before the domain removed for gmail.com / googlemail.com;
 *   phone in E.164 (`+` and country code); first and last name trimmed and lower-cased; all three
 *   hashed. Country (alpha-2) and zip stay plain. Header: Email,Phone,First Name,Last Name,Country,Zip.
 */
import { neutraliseCell } from '../csv-safe';

/** One customer's contact details as the engine reads them (any may be missing). */
export interface ContactRow {
	customer_id: string;
	email: string | null;
	phone: string | null;
	first_name: string | null;
	last_name: string | null;
	/** The name as one text (Shopify's Billing Name): first and last name come from it when the file has no others. */
	full_name?: string | null;
	country: string | null;
	segment: string;
	/** Net revenue: which customer id a shared e-mail address keeps. */
	revenue?: number;
	/** False when the customer declined marketing; null when unknown. */
	accepts_marketing?: boolean | null;
}

/** Which list an audience is for: the e-mail tool (needs an e-mail) or an ad platform (an e-mail or a phone). */
export type AudiencePreset = 'email' | 'meta' | 'google';

/** The customers of a group left out of an audience file, by reason (shown before the download). */
export interface AudienceCounts {
	/** Customers in the group. */
	customers: number;
	/** Rows the file will have. */
	rows: number;
	/** No usable e-mail address (for the ad platforms: neither an e-mail nor a phone). */
	noContact: number;
	/** Declined marketing (only when the merchant leaves them out). */
	declined: number;
	/** Another customer id with the same e-mail address and more revenue is in the file instead. */
	duplicate: number;
}

/** First and last name: the file's own, or the full name split at its first space (the rest is the last name). */
export function namesOf(row: Pick<ContactRow, 'first_name' | 'last_name' | 'full_name'>): { first: string | null; last: string | null } {
	const first = row.first_name?.trim() || null;
	const last = row.last_name?.trim() || null;
	if (first || last) return { first, last };
	const full = (row.full_name ?? '').trim().replace(/\s+/g, ' ');
	if (!full) return { first: null, last: null };
	const space = full.indexOf(' ');
	return space < 0 ? { first: full, last: null } : { first: full.slice(0, space), last: full.slice(space + 1) };
}

/**
 * The customers an audience file holds, and the rest counted by reason: declined marketing (when
 * `marketingOnly`), no e-mail (for ads: no e-mail and no phone), and duplicates: one row per e-mail
 * address, the customer id with the most revenue kept (ties: the smaller id), because e-mail tools
 * and ad platforms match on the address and a second row would count one person twice.
 * Names are filled from the full name when the file has no first/last name (see `namesOf`).
 */
export function prepareAudience(
	rows: readonly ContactRow[],
	preset: AudiencePreset,
	marketingOnly: boolean
): { rows: ContactRow[]; counts: AudienceCounts } {
	const counts: AudienceCounts = { customers: rows.length, rows: 0, noContact: 0, declined: 0, duplicate: 0 };
	const byEmail = new Map<string, ContactRow>();
	const kept: ContactRow[] = [];
	for (const row of rows) {
		if (marketingOnly && row.accepts_marketing === false) {
			counts.declined++;
			continue;
		}
		const email = normaliseEmail(row.email);
		const reachable = preset === 'email' ? email !== null : email !== null || e164(row.phone, row.country) !== null;
		if (!reachable) {
			counts.noContact++;
			continue;
		}
		const { first, last } = namesOf(row);
		const named = { ...row, first_name: first, last_name: last };
		if (email === null) {
			kept.push(named);
			continue;
		}
		const other = byEmail.get(email);
		counts.duplicate += other ? 1 : 0;
		if (!other || better(named, other)) byEmail.set(email, named);
	}
	const out = [...kept, ...byEmail.values()].sort((a, b) => (a.customer_id < b.customer_id ? -1 : a.customer_id > b.customer_id ? 1 : 0));
	counts.rows = out.length;
	return { rows: out, counts };
}

/** The customer id an e-mail address keeps: the most revenue, then the smaller id. */
function better(a: ContactRow, b: ContactRow): boolean {
	const ra = a.revenue ?? 0;
	const rb = b.revenue ?? 0;
	return ra !== rb ? ra > rb : a.customer_id < b.customer_id;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Trimmed, lower-cased email, or null when it is not an address. */
export function normaliseEmail(raw: string | null): string | null {
	const email = (raw ?? '').trim().toLowerCase();
	return EMAIL.test(email) ? email : null;
}

/** Google's rule: gmail.com and googlemail.com ignore dots in the local part, so they are removed before hashing. */
export function googleEmail(raw: string | null): string | null {
	const email = normaliseEmail(raw);
	if (!email) return null;
	const [local, domain] = [email.slice(0, email.lastIndexOf('@')), email.slice(email.lastIndexOf('@') + 1)];
	return domain === 'gmail.com' || domain === 'googlemail.com' ? `${local.replaceAll('.', '')}@${domain}` : email;
}

/** Country names merchants' files often carry instead of codes. */
const COUNTRY_NAMES: Record<string, string> = {
	'united states': 'US',
	'united states of america': 'US',
	usa: 'US',
	'united kingdom': 'GB',
	uk: 'GB',
	'great britain': 'GB',
	england: 'GB',
	germany: 'DE',
	deutschland: 'DE',
	france: 'FR',
	spain: 'ES',
	españa: 'ES',
	italy: 'IT',
	italia: 'IT',
	netherlands: 'NL',
	belgium: 'BE',
	ireland: 'IE',
	canada: 'CA',
	australia: 'AU',
	'new zealand': 'NZ',
	austria: 'AT',
	switzerland: 'CH',
	sweden: 'SE',
	denmark: 'DK',
	norway: 'NO',
	finland: 'FI',
	portugal: 'PT',
	poland: 'PL',
	brazil: 'BR',
	mexico: 'MX',
	japan: 'JP',
	india: 'IN'
};

/** ISO 3166-1 alpha-2 code (upper case) from a code or a common English name, else null. */
export function countryCode(raw: string | null): string | null {
	const text = (raw ?? '').trim();
	if (/^[a-z]{2}$/i.test(text)) return text.toUpperCase();
	return COUNTRY_NAMES[text.toLowerCase()] ?? null;
}

/** Calling codes of the countries in `COUNTRY_NAMES`, for national numbers written without one. */
const CALLING_CODE: Record<string, string> = {
	US: '1',
	CA: '1',
	GB: '44',
	DE: '49',
	FR: '33',
	ES: '34',
	IT: '39',
	NL: '31',
	BE: '32',
	IE: '353',
	AU: '61',
	NZ: '64',
	AT: '43',
	CH: '41',
	SE: '46',
	DK: '45',
	NO: '47',
	FI: '358',
	PT: '351',
	PL: '48',
	BR: '55',
	MX: '52',
	JP: '81',
	IN: '91'
};

/**
 * E.164 (`+4915112345678`) from a phone as written: `+` or `00` starts an international number;
 * otherwise the customer's country gives the calling code and a trunk `0` is dropped (kept in
 * Italy, where it is part of the number). Null when no country code can be known: a guessed code
 * would match the wrong person.
 */
export function e164(raw: string | null, country: string | null): string | null {
	const text = (raw ?? '').trim();
	let digits = text.replace(/\D/g, '');
	if (digits.length < 6) return null;
	if (text.startsWith('+')) return `+${digits}`;
	if (digits.startsWith('00')) return `+${digits.slice(2)}`;
	const code = CALLING_CODE[countryCode(country) ?? ''];
	if (!code) return null;
	// North American numbers are often written with the 1 in front and no +.
	if (code === '1' && digits.length === 11 && digits.startsWith('1')) return `+${digits}`;
	if (code !== '39') digits = digits.replace(/^0/, '');
	return `+${code}${digits}`;
}

/** Meta's name rule: lower case, punctuation and spaces removed, letters of any script kept. */
export function metaName(raw: string | null): string | null {
	const name = (raw ?? '')
		.toLowerCase()
		.normalize('NFC')
		.replace(/[\p{P}\p{S}\s\d]/gu, '');
	return name || null;
}

/** Google's name rule: trimmed and lower-cased. */
export function googleName(raw: string | null): string | null {
	const name = (raw ?? '').trim().toLowerCase();
	return name || null;
}

/** SHA-256 of the UTF-8 text as lower-case hex (Web Crypto: in the page or worker, never a server). */
export async function sha256Hex(text: string): Promise<string> {
	const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
	return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

const hashed = async (value: string | null) => (value === null ? '' : sha256Hex(value));

/**
 * A CSV cell: quoted when it holds a comma, quote or line break; text is neutralised against
 * formula injection by the rule every export shares (`neutraliseCell`).
 */
export function csvCell(value: string | number | boolean | null): string {
	if (value === null) return '';
	let text = String(value);
	if (typeof value === 'string') text = neutraliseCell(text);
	return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvLine = (cells: (string | number | boolean | null)[]) => cells.map(csvCell).join(',');

/** The email-tool list: email, first and last name, and the segment as a tag. Customers with no address are left out. */
export function emailListCsv(rows: readonly ContactRow[], tag: string | null): string {
	const lines = [csvLine(['email', 'first_name', 'last_name', 'tags'])];
	for (const row of rows) {
		const email = normaliseEmail(row.email);
		if (email) lines.push(csvLine([email, row.first_name?.trim() || null, row.last_name?.trim() || null, tag ?? row.segment]));
	}
	return `${lines.join('\n')}\n`;
}

/** Meta's customer list with every identifier hashed. Customers with neither email nor phone are left out. */
export async function metaAudienceCsv(rows: readonly ContactRow[]): Promise<string> {
	const lines = [csvLine(['email', 'phone', 'fn', 'ln', 'country'])];
	for (const row of rows) {
		const email = normaliseEmail(row.email);
		const phone = e164(row.phone, row.country)?.slice(1) ?? null;
		if (!email && !phone) continue;
		const country = countryCode(row.country)?.toLowerCase() ?? null;
		lines.push(
			[
				await hashed(email),
				await hashed(phone),
				await hashed(metaName(row.first_name)),
				await hashed(metaName(row.last_name)),
				await hashed(country)
			].join(',')
		);
	}
	return `${lines.join('\n')}\n`;
}

/** Google's Customer Match list: email, phone and names hashed, country plain. */
export async function googleAudienceCsv(rows: readonly ContactRow[]): Promise<string> {
	const lines = [csvLine(['Email', 'Phone', 'First Name', 'Last Name', 'Country', 'Zip'])];
	for (const row of rows) {
		const email = googleEmail(row.email);
		const phone = e164(row.phone, row.country);
		if (!email && !phone) continue;
		lines.push(
			[
				await hashed(email),
				await hashed(phone),
				await hashed(googleName(row.first_name)),
				await hashed(googleName(row.last_name)),
				countryCode(row.country) ?? '',
				''
			].join(',')
		);
	}
	return `${lines.join('\n')}\n`;
}
