import { describe, expect, it } from 'vitest';
import {
	dateSeparator,
	dayMonthAmbiguous,
	detectAmountFormat,
	detectDateFormat,
	parseAmount,
	parseDate,
	swapDayMonth,
	type DateFormat
} from '../../src/lib/ingest/values';

const ISO: DateFormat = { order: 'iso', pattern: '' };
const US: DateFormat = { order: 'mdy', pattern: '%m/%d/%Y' };
const DOTTED_DMY: DateFormat = { order: 'dmy', pattern: '%d.%m.%Y' };
const SLASH_DMY: DateFormat = { order: 'dmy', pattern: '%d/%m/%Y' };
const COMPACT: DateFormat = { order: 'compact', pattern: '%Y%m%d' };
const DOT = { decimal: '.', plain: false } as const;
const COMMA = { decimal: ',', plain: false } as const;

describe('detectDateFormat', () => {
	it('reads ISO dates and Shopify timestamps with a UTC offset as ISO', () => {
		expect(detectDateFormat(['2025-05-11 09:55:16 -0400', '2025-05-12 15:06:16 -0400', ''])).toEqual(ISO);
		expect(detectDateFormat(['2024-03-01', '2024-12-31', '2024-1-5'])).toEqual(ISO);
		expect(detectDateFormat(['2017-10-02 10:56:33', '2018-07-24T20:41:37Z'])).toEqual(ISO);
		// DuckDB's cast reads slashes too, so year-first slashed dates stay on the cast path.
		expect(detectDateFormat(['2010/12/01', '2011/01/31'])).toEqual(ISO);
	});

	it('reads US month-first dates with times (UCI Online Retail)', () => {
		expect(detectDateFormat(['12/1/2010 8:26', '12/13/2010 9:01', '1/5/2011 10:00'])).toEqual(US);
	});

	it('prefers month-first for slashes and day-first for dots and dashes when no value decides', () => {
		expect(detectDateFormat(['01/02/2010', '03/04/2010'])).toEqual(US);
		expect(detectDateFormat(['01.02.2010', '03.04.2010'])).toEqual(DOTTED_DMY);
		expect(detectDateFormat(['01-02-2010', '03-04-2010'])).toEqual({ order: 'dmy', pattern: '%d-%m-%Y' });
	});

	it('switches to day-first when a value has a day above 12', () => {
		expect(detectDateFormat(['31.12.2010', '01.02.2011'])).toEqual(DOTTED_DMY);
		expect(detectDateFormat(['25/12/2010', '01/02/2011', '02/03/2011'])).toEqual(SLASH_DMY);
		expect(detectDateFormat(['25/12/2010 14:30', '1/2/2011 09:00'])).toEqual(SLASH_DMY);
	});

	it('reads compact yyyymmdd dates', () => {
		expect(detectDateFormat(['20061230', '20070101', '19991231'])).toEqual(COMPACT);
	});

	it('uses %y when most years have two digits', () => {
		expect(detectDateFormat(['12/31/10', '1/2/11', '6/7/99'])).toEqual({ order: 'mdy', pattern: '%m/%d/%y' });
	});

	it('reads year-first dates with dots as ymd, not as ISO (which DuckDB cannot cast)', () => {
		expect(detectDateFormat(['2010.12.01', '2011.01.31'])).toEqual({ order: 'ymd', pattern: '%Y.%m.%d' });
	});

	it('rejects columns that are not dates', () => {
		expect(detectDateFormat([])).toBeNull();
		expect(detectDateFormat(['', '  '])).toBeNull();
		expect(detectDateFormat(['hello', 'world'])).toBeNull();
		expect(detectDateFormat(['1', '2', '17'])).toBeNull();
		expect(detectDateFormat(['12.50', '3.99'])).toBeNull();
		// Invalid calendar dates do not count: 1 of 3 reads, below the 80% share.
		expect(detectDateFormat(['2023-02-30', '2023-13-01', '2023-01-15'])).toBeNull();
		// 4 of 5 values read: exactly the default share passes; a higher share does not.
		const mostly = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', 'unknown'];
		expect(detectDateFormat(mostly)).toEqual(ISO);
		expect(detectDateFormat(mostly, 0.9)).toBeNull();
	});
});

describe('parseDate', () => {
	it('keeps the calendar date as written, with no time-zone shift', () => {
		expect(parseDate('2025-05-11 09:55:16 -0400', ISO)).toBe('2025-05-11');
		expect(parseDate('2025-05-11T23:30:00-04:00', ISO)).toBe('2025-05-11');
		expect(parseDate('2025-05-11T23:30:00Z', ISO)).toBe('2025-05-11');
		expect(parseDate('2025-05-11 00:10:00+14:00', ISO)).toBe('2025-05-11');
		expect(parseDate('2024-3-1', ISO)).toBe('2024-03-01');
		expect(parseDate('  2024-03-01', ISO)).toBe('2024-03-01');
		expect(parseDate('2010/12/01 10:00', ISO)).toBe('2010-12-01');
	});

	it('reads US, day-first and compact dates', () => {
		expect(parseDate('12/1/2010 8:26', US)).toBe('2010-12-01');
		expect(parseDate('12/1/2010, 8:26 PM', US)).toBe('2010-12-01');
		expect(parseDate('31.12.2010', DOTTED_DMY)).toBe('2010-12-31');
		expect(parseDate('25/12/2010', SLASH_DMY)).toBe('2010-12-25');
		expect(parseDate('20061230', COMPACT)).toBe('2006-12-30');
		expect(parseDate(' 20061230 ', COMPACT)).toBe('2006-12-30');
		expect(parseDate('2010.12.01', { order: 'ymd', pattern: '%Y.%m.%d' })).toBe('2010-12-01');
	});

	it('rejects impossible calendar dates', () => {
		expect(parseDate('2023-02-30', ISO)).toBeNull();
		expect(parseDate('2023-02-29', ISO)).toBeNull();
		expect(parseDate('2024-02-29', ISO)).toBe('2024-02-29');
		expect(parseDate('2000-02-29', ISO)).toBe('2000-02-29');
		expect(parseDate('2100-02-29', ISO)).toBeNull();
		expect(parseDate('2023-04-31', ISO)).toBeNull();
		expect(parseDate('2023-13-01', ISO)).toBeNull();
		expect(parseDate('2023-00-10', ISO)).toBeNull();
		expect(parseDate('2023-01-00', ISO)).toBeNull();
		expect(parseDate('13/25/2010', US)).toBeNull();
		expect(parseDate('31.04.2010', DOTTED_DMY)).toBeNull();
		expect(parseDate('20230230', COMPACT)).toBeNull();
	});

	it('rejects text that is not a date in the format', () => {
		for (const text of ['', 'n/a', '2024', '2024-03', '24-03-01', '2024-03-01abc', '2024-03-011', '2024.03.01', '2024/03-01']) {
			expect(parseDate(text, ISO), text).toBeNull();
		}
		// A US file's stray day-first or dashed value, a three-digit year, a day with three digits.
		expect(parseDate('12-1-2010', US)).toBeNull();
		expect(parseDate('12/1/201', US)).toBeNull();
		expect(parseDate('12/001/2010', US)).toBeNull();
		expect(parseDate('25/12/2010', DOTTED_DMY)).toBeNull();
		expect(parseDate('2006123', COMPACT)).toBeNull();
		expect(parseDate('200612301', COMPACT)).toBeNull();
		expect(parseDate('2006-12-30', COMPACT)).toBeNull();
	});

	it('reads two-digit years as strptime %y does: 00–68 are 20xx, 69–99 are 19xx', () => {
		const yy: DateFormat = { order: 'mdy', pattern: '%m/%d/%y' };
		expect(parseDate('1/2/10', yy)).toBe('2010-01-02');
		expect(parseDate('1/2/68', yy)).toBe('2068-01-02');
		expect(parseDate('1/2/69', yy)).toBe('1969-01-02');
		expect(parseDate('1/2/99', yy)).toBe('1999-01-02');
		// A four-digit year still reads under a %y format, and a two-digit one under %Y.
		expect(parseDate('1/2/2010', yy)).toBe('2010-01-02');
		expect(parseDate('1/2/10', US)).toBe('2010-01-02');
	});

	it('takes the separator from the pattern', () => {
		expect(dateSeparator(US)).toBe('/');
		expect(dateSeparator(DOTTED_DMY)).toBe('.');
		expect(dateSeparator({ order: 'dmy', pattern: '%d-%m-%y' })).toBe('-');
		expect(dateSeparator(ISO)).toBe('-');
	});
});

describe('detectAmountFormat', () => {
	it('sees a decimal comma from values with both marks or a short comma part', () => {
		expect(detectAmountFormat(['€1.234,50', '€12,00', '€7,5'])).toEqual({ decimal: ',', plain: false });
		expect(detectAmountFormat(['1 234,50 EUR', '99,90 EUR'])).toEqual({ decimal: ',', plain: false });
		expect(detectAmountFormat(['12,5', '3,25', '10'])).toEqual({ decimal: ',', plain: false });
		expect(detectAmountFormat(['1.234.567', '2.000.000'])).toEqual({ decimal: ',', plain: false });
	});

	it('sees a decimal point and thousands commas', () => {
		expect(detectAmountFormat(['$1,234.50', '$12.00', '$3.5'])).toEqual({ decimal: '.', plain: false });
		expect(detectAmountFormat(['1,234', '12,000', '7'])).toEqual({ decimal: '.', plain: false });
	});

	it('calls plain numbers plain', () => {
		expect(detectAmountFormat(['12.50', '-5', '100', '0.99'])).toEqual({ decimal: '.', plain: true });
		expect(detectAmountFormat(['(12.00)', '5.00'])).toEqual({ decimal: '.', plain: false });
		expect(detectAmountFormat(['USD 99', 'USD 5'])).toEqual({ decimal: '.', plain: false });
	});

	it('rejects columns that are not money', () => {
		expect(detectAmountFormat([])).toBeNull();
		expect(detectAmountFormat(['', ''])).toBeNull();
		expect(detectAmountFormat(['alice@example.com', 'bob@example.com'])).toBeNull();
		expect(detectAmountFormat(['free', 'n/a', '12.00'])).toBeNull();
	});
});

describe('parseAmount', () => {
	it('reads the examples merchants write', () => {
		expect(parseAmount('€1.234,50', COMMA)).toBe(1234.5);
		expect(parseAmount('$1,234.50', DOT)).toBe(1234.5);
		expect(parseAmount('1 234,50 EUR', COMMA)).toBe(1234.5);
		expect(parseAmount('1\u202f234,50\u00a0€', COMMA)).toBe(1234.5);
		expect(parseAmount("CHF 1'234.50", DOT)).toBe(1234.5);
		expect(parseAmount('(12.00)', DOT)).toBe(-12);
		expect(parseAmount('-5', DOT)).toBe(-5);
		expect(parseAmount('12,5', COMMA)).toBe(12.5);
		expect(parseAmount('USD 99', DOT)).toBe(99);
		expect(parseAmount('  42 ', DOT)).toBe(42);
		expect(parseAmount('0.99', DOT)).toBe(0.99);
		expect(parseAmount('1.234', COMMA)).toBe(1234);
		expect(parseAmount('1,234', DOT)).toBe(1234);
	});

	it('reads negatives written every usual way', () => {
		expect(parseAmount('−5.00', DOT)).toBe(-5);
		expect(parseAmount('5.00-', DOT)).toBe(-5);
		expect(parseAmount('-€5,00', COMMA)).toBe(-5);
		expect(parseAmount('€-5,00', COMMA)).toBe(-5);
		expect(parseAmount('€(12.00)', DOT)).toBe(-12);
		expect(parseAmount('(12.00) EUR', DOT)).toBe(-12);
		expect(parseAmount('USD (12.00)', DOT)).toBe(-12);
		expect(parseAmount('- 12.5', DOT)).toBe(-12.5);
	});

	it('does not read a parenthesised currency as a negative sign', () => {
		expect(parseAmount('12.00 (EUR)', DOT)).toBe(12);
		expect(parseAmount('(EUR) 12.00', DOT)).toBe(12);
	});

	it('reads exponent notation with a decimal point as a number', () => {
		expect(parseAmount('1e5', DOT)).toBe(100000);
		expect(parseAmount('5e-05', DOT)).toBe(0.00005);
		expect(parseAmount('-1.5E+3', DOT)).toBe(-1500);
	});

	it('returns null for text without a readable number', () => {
		for (const text of ['', '   ', 'free', '-', '()', 'NaN', 'nan', 'inf', 'Infinity', '€', '.']) {
			expect(parseAmount(text, DOT), text).toBeNull();
			expect(parseAmount(text, COMMA), text).toBeNull();
		}
		expect(parseAmount('1.234.567', DOT)).toBeNull();
		expect(parseAmount('1,234,50', COMMA)).toBeNull();
		expect(parseAmount('12.50.00', DOT)).toBeNull();
	});
});

describe('day/month questions', () => {
	const dmy = { order: 'dmy', pattern: '%d/%m/%Y' } as const;
	it('asks only when no value tells day and month apart', () => {
		expect(dayMonthAmbiguous(['03/04/2024', '11/12/2023', '01/02/2024'], dmy)).toBe(true);
		expect(dayMonthAmbiguous(['03/04/2024', '13/12/2023'], dmy)).toBe(false);
		expect(dayMonthAmbiguous(['2024-03-04'], { order: 'iso', pattern: '' })).toBe(false);
		expect(dayMonthAmbiguous(['03/04/2024'], null)).toBe(false);
	});
	it('swaps day and month in a pattern, keeping the separator and year width', () => {
		expect(swapDayMonth(dmy)).toEqual({ order: 'mdy', pattern: '%m/%d/%Y' });
		expect(swapDayMonth({ order: 'mdy', pattern: '%m.%d.%y' })).toEqual({ order: 'dmy', pattern: '%d.%m.%y' });
		expect(parseDate('03/04/2024', swapDayMonth(dmy))).toBe('2024-03-04');
	});
});

describe('spreadsheet serial dates', () => {
	const SERIAL: DateFormat = { order: 'serial', pattern: '' };
	it('reads day numbers from 1899-12-30, with or without a time fraction, only when allowed', () => {
		expect(parseDate('45292', SERIAL)).toBe('2024-01-01');
		expect(parseDate('45292.75', SERIAL)).toBe('2024-01-01');
		expect(parseDate('1234', SERIAL)).toBeNull();
		expect(parseDate('95000', SERIAL)).toBeNull();
		expect(detectDateFormat(['45292', '45310.5', '45400'])).toBeNull();
		expect(detectDateFormat(['45292', '45310.5', '45400'], 0.8, true)).toEqual(SERIAL);
	});
});
