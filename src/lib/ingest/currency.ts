/**
 * The store's currency, when the file says it: a code in the amount column's header
 * ("Order Value (EUR)"), or a symbol or code written with the amounts ("€12.50", "12.50 USD").
 */

const SYMBOLS: Record<string, string> = {
	'€': 'EUR',
	'£': 'GBP',
	'¥': 'JPY',
	'₹': 'INR',
	'₩': 'KRW',
	'₺': 'TRY',
	'₽': 'RUB',
	zł: 'PLN',
	R$: 'BRL',
	$: 'USD'
};

// Intl formats any three letters as a currency; only the codes it knows by name count.
const KNOWN = new Set(Intl.supportedValuesOf('currency'));

function isCurrencyCode(code: string): boolean {
	return KNOWN.has(code);
}

/**
 * ISO 4217 code of the amounts, or null when the file does not say. A bare `$` is read as USD
 * only when nothing more specific (a code) appears.
 */
export function detectCurrency(header: string, values: readonly string[]): string | null {
	for (const m of header.matchAll(/\b([A-Z]{3})\b/g)) if (isCurrencyCode(m[1]!)) return m[1]!;
	for (const [symbol, code] of Object.entries(SYMBOLS)) if (symbol !== '$' && header.includes(symbol)) return code;
	const counts = new Map<string, number>();
	for (const v of values.slice(0, 200)) {
		const code = /\b([A-Z]{3})\b/.exec(v)?.[1];
		const found = code && isCurrencyCode(code) ? code : Object.entries(SYMBOLS).find(([s]) => v.includes(s))?.[1];
		if (found) counts.set(found, (counts.get(found) ?? 0) + 1);
	}
	const best = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
	return best ? best[0] : header.includes('$') ? 'USD' : null;
}
