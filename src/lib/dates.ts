/**
 * Calendar dates as the app keeps them: ISO `YYYY-MM-DD` text, as written in the file, with no time
 * zone. Arithmetic runs on UTC midnights so that no daylight-saving shift moves a day.
 */

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The ISO date of a UTC time in milliseconds. */
export function isoDate(ms: number): string {
	return new Date(ms).toISOString().slice(0, 10);
}

/** Days from 1970-01-01 to an ISO date (whole for a valid date). */
export function dayNumber(iso: string): number {
	return Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
}

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(text: unknown): text is string {
	if (typeof text !== 'string' || !ISO_DATE.test(text)) return false;
	const d = new Date(`${text}T00:00:00Z`);
	return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** An ISO date plus (or minus) whole days. */
export function addDays(iso: string, days: number): string {
	return isoDate(Date.parse(`${iso}T00:00:00Z`) + days * DAY_MS);
}

/** An ISO date plus (or minus) whole months; a day the month lacks becomes its last day (03-31 − 1 month = 02-29). */
export function addMonths(iso: string, months: number): string {
	const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
	const index = y * 12 + (m - 1) + months;
	const year = Math.floor(index / 12);
	const month = index - year * 12;
	const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
	return `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}
