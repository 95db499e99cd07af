/** Numbers and dates for people, with Intl (the browser's locale). */

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const longDate = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });

/** Currency formatters, made once per currency and style (a table formats thousands of amounts). */
const moneyFormats = new Map<string, Intl.NumberFormat>();
function moneyFormat(currency: string, compactStyle: boolean): Intl.NumberFormat {
	const key = `${currency}:${compactStyle ? 'compact' : 'full'}`;
	let format = moneyFormats.get(key);
	if (!format) {
		format = new Intl.NumberFormat(
			undefined,
			compactStyle ? { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 } : { style: 'currency', currency }
		);
		moneyFormats.set(key, format);
	}
	return format;
}

export const formatCount = (n: number) => integer.format(n);
/** Two decimals, for estimates such as expected orders (`0.37`). */
export const formatDecimal = (n: number) => decimal.format(n);
/** Money with the store's currency when known (`€1,234.50`), else a plain two-decimal number. */
export function formatMoney(n: number, currency: string | null = null): string {
	if (!currency) return decimal.format(n);
	return moneyFormat(currency, false).format(n);
}
export const formatShare = (n: number) => percent.format(n);
/** Short numbers for tight spaces (`23.5K`, `€23.5K`). */
export function formatCompact(n: number, currency: string | null = null): string {
	if (!currency) return compact.format(n);
	return moneyFormat(currency, true).format(n);
}
/** An ISO date (`2024-03-01`) as the reader's locale writes it; the date is not shifted. */
export const formatDate = (iso: string) => longDate.format(new Date(`${iso}T00:00:00Z`));
export const formatBytes = (n: number) =>
	n < 1024 * 1024
		? `${integer.format(Math.ceil(n / 1024))} KB`
		: `${new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }).format(n / 1024 / 1024)} MB`;
