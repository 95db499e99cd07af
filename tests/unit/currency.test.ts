import { describe, expect, it } from 'vitest';
import { detectCurrency } from '../../src/lib/ingest/currency';

describe('detectCurrency', () => {
	it('reads a code from the header', () => {
		expect(detectCurrency('Order Value (EUR)', ['12.50'])).toBe('EUR');
		expect(detectCurrency('Total GBP', ['12.50'])).toBe('GBP');
	});
	it('reads symbols and codes written with the amounts', () => {
		expect(detectCurrency('Amount', ['€1.234,50', '€12,00', '3'])).toBe('EUR');
		expect(detectCurrency('Amount', ['12.50 USD', '3.00 USD'])).toBe('USD');
		expect(detectCurrency('Amount', ['£5', '£7.25'])).toBe('GBP');
		expect(detectCurrency('Amount', ['$5', '$7.25'])).toBe('USD');
	});
	it('says nothing when the file does not say', () => {
		expect(detectCurrency('Amount', ['12.50', '7'])).toBeNull();
		// Three capitals that are no currency ("ABC", "QTY") are not taken for one.
		expect(detectCurrency('QTY', ['ABC 12'])).toBeNull();
	});
});
