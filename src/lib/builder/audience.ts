/**
 * Exports for email tools and ad platforms. Emails, phones and names are normalised by each
 * platform's published rules and hashed with SHA-256 (Web Crypto) in the browser, so the file a
 * merchant uploads to Meta or Google holds no plain contact details, and nothing is sent anywhere.
 *
 * Meta (Customer list custom audiences, "Prepare your customer list" / hashing):
 *   email trimmed and lower-cased; phone digits only with the country code, no `+` or leading zeros
 *   (libphonenumber-js, see `loadPhoneFormat`);
 *   fn / ln lower-cased a–z with punctuation removed (other letters kept, UTF-8); country the
 *   lower-case ISO 3166-1 alpha-2 code. Every one of these is hashed. Header: email,phone,fn,ln,country.
 * Google Ads (Customer Match "Formatting guidelines" for hashed upload files):
 *   email trimmed and lower-cased, periods before the domain removed for gmail.com / googlemail.com;
 *   phone in E.164 (`+` and country code); first and last name trimmed and lower-cased; all three
 *   hashed. Country (alpha-2) and zip stay plain. Header: Email,Phone,First Name,Last Name,Country,Zip.
 */
import type { CountryCode } from 'libphonenumber-js/min';
import { csvLine } from '../csv-safe';

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
export async function prepareAudience(
	rows: readonly ContactRow[],
	preset: AudiencePreset,
	marketingOnly: boolean
): Promise<{ rows: ContactRow[]; counts: AudienceCounts }> {
	// The e-mail list never reads a phone: it does not load the phone library.
	const phone = preset === 'email' ? null : await loadPhoneFormat();
	const counts: AudienceCounts = { customers: rows.length, rows: 0, noContact: 0, declined: 0, duplicate: 0 };
	const byEmail = new Map<string, ContactRow>();
	const kept: ContactRow[] = [];
	for (const row of rows) {
		if (marketingOnly && row.accepts_marketing === false) {
			counts.declined++;
			continue;
		}
		const email = normaliseEmail(row.email);
		const reachable = email !== null || (phone !== null && phone(row.phone, row.country) !== null);
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

/**
 * Names files carry that are not a country's English name: local names, abbreviations, parts of the
 * United Kingdom and former names. English names come from the browser (`Intl.DisplayNames`).
 */
const COUNTRY_ALIASES: Record<string, string> = {
	usa: 'US',
	'united states of america': 'US',
	uk: 'GB',
	'great britain': 'GB',
	england: 'GB',
	scotland: 'GB',
	wales: 'GB',
	'northern ireland': 'GB',
	deutschland: 'DE',
	españa: 'ES',
	italia: 'IT',
	holland: 'NL',
	'the netherlands': 'NL',
	nederland: 'NL',
	österreich: 'AT',
	schweiz: 'CH',
	suisse: 'CH',
	brasil: 'BR',
	méxico: 'MX',
	'czech republic': 'CZ',
	turkey: 'TR',
	'hong kong': 'HK'
};

/** Region codes `Intl.DisplayNames` names that are not countries (European Union, United Nations, …). */
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'QO', 'UN', 'ZZ']);

let countryNames: Map<string, string> | null = null;

/** Every country's English name (lower case) to its code, built once from the browser's own list. */
function countryByName(): Map<string, string> {
	if (countryNames) return countryNames;
	countryNames = new Map(Object.entries(COUNTRY_ALIASES));
	const english = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
	for (let first = 65; first <= 90; first++) {
		for (let second = 65; second <= 90; second++) {
			const code = String.fromCharCode(first, second);
			const name = NOT_COUNTRIES.has(code) ? undefined : english.of(code);
			// Retired codes carry their successor's name (DD is "Germany"): the name maps to the code in use.
			const current = Intl.getCanonicalLocales(`und-${code}`)[0]!.slice(4);
			if (name && !countryNames.has(name.toLowerCase())) countryNames.set(name.toLowerCase(), current);
		}
	}
	return countryNames;
}

/** ISO 3166-1 alpha-2 code (upper case) from a code, a country's English name or a common alias, else null. */
export function countryCode(raw: string | null): string | null {
	const text = (raw ?? '').trim();
	if (/^[a-z]{2}$/i.test(text)) return text.toUpperCase();
	return countryByName().get(text.toLowerCase().replace(/\s+/g, ' ')) ?? null;
}

/** A phone as written and the customer's country to E.164 (`+4915123456789`), or null. */
export type PhoneFormat = (raw: string | null, country: string | null) => string | null;

let phoneFormat: Promise<PhoneFormat> | null = null;

/**
 * The phone normaliser, built on libphonenumber-js with its smallest metadata (every country's
 * calling code, trunk prefix and number lengths, about 80 kB). Imported on first use, so only an ad
 * audience export loads it; later calls share the one import.
 *
 * `+` or `00` starts an international number; otherwise the customer's country gives the calling
 * code and its own trunk and international prefixes (a UK `0`, a US `011`; Italy's leading `0`
 * stays). A number must have a possible length for its country: a plausible number that is not
 * assigned costs nothing (the platform matches no one), a guessed or cut one could match the wrong
 * person. No country, no number.
 */
export function loadPhoneFormat(): Promise<PhoneFormat> {
	phoneFormat ??= import('libphonenumber-js/min').then(({ parsePhoneNumberFromString }) => (raw, country) => {
		// A spreadsheet's text marker (`'+44…`) is not part of the number.
		const text = (raw ?? '').trim().replace(/^'/, '').replace(/^00/, '+');
		const code = countryCode(country);
		if (!text.startsWith('+') && !code) return null;
		const phone = parsePhoneNumberFromString(text, { defaultCountry: (code ?? undefined) as CountryCode | undefined });
		return phone?.isPossible() ? phone.number : null;
	});
	return phoneFormat;
}

/** E.164 from a phone as written and the customer's country (see `loadPhoneFormat`); null when unknown. */
export async function e164(raw: string | null, country: string | null): Promise<string | null> {
	return (await loadPhoneFormat())(raw, country);
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
	const toE164 = await loadPhoneFormat();
	const lines = [csvLine(['email', 'phone', 'fn', 'ln', 'country'])];
	for (const row of rows) {
		const email = normaliseEmail(row.email);
		const phone = toE164(row.phone, row.country)?.slice(1) ?? null;
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
	const toE164 = await loadPhoneFormat();
	const lines = [csvLine(['Email', 'Phone', 'First Name', 'Last Name', 'Country', 'Zip'])];
	for (const row of rows) {
		const email = googleEmail(row.email);
		const phone = toE164(row.phone, row.country);
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
