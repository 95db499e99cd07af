/**
 * Audience exports: normalisation by Meta's and Google's published rules, SHA-256 from Web Crypto
 * checked against Node's crypto, and CSV cells that a spreadsheet will not run as formulas.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { csvCell } from '../../src/lib/csv-safe';
import {
	countryCode,
	e164,
	emailListCsv,
	googleAudienceCsv,
	googleEmail,
	metaAudienceCsv,
	metaName,
	normaliseEmail,
	sha256Hex,
	type ContactRow
} from '../../src/lib/builder/audience';

const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const ROWS: ContactRow[] = [
	{
		customer_id: 'C1',
		email: '  Ann.Lee@GMail.com ',
		phone: '(555) 010-1234',
		first_name: ' Zoë ',
		last_name: "O'Neil",
		country: 'United States',
		segment: 'Champions'
	},
	{
		customer_id: 'C2',
		email: null,
		phone: '+49 151 2345 6789',
		first_name: 'Jürgen',
		last_name: 'Müller-Lüdenscheidt',
		country: 'DE',
		segment: 'At Risk'
	},
	{ customer_id: 'C3', email: 'not an email', phone: '020 7946 0958', first_name: null, last_name: null, country: 'gb', segment: 'Lost' },
	{
		customer_id: 'C4',
		email: 'x@y.co',
		phone: '12345',
		first_name: '=HYPERLINK("http://evil")',
		last_name: 'Ng',
		country: 'Narnia',
		segment: 'New'
	}
];

describe('normalisation', () => {
	it('follows the platforms’ rules for emails, phones, names and countries', async () => {
		expect(normaliseEmail('  Ann.Lee@GMail.com ')).toBe('ann.lee@gmail.com');
		expect(normaliseEmail('no at sign')).toBeNull();
		expect(googleEmail('Ann.Lee+shop@googlemail.com')).toBe('annlee+shop@googlemail.com');
		expect(googleEmail('ann.lee@example.com')).toBe('ann.lee@example.com');
		expect(await e164('(555) 010-1234', 'US')).toBe('+15550101234');
		expect(await e164('1 555 010 1234', 'United States')).toBe('+15550101234');
		expect(await e164('0049 151 23456789', null)).toBe('+4915123456789');
		expect(await e164('020 7946 0958', 'GB')).toBe('+442079460958');
		expect(await e164('06 1234 5678', 'IT')).toBe('+3906 1234 5678'.replace(/ /g, ''));
		expect(await e164('020 7946 0958', null)).toBeNull();
		expect(await e164('123', 'US')).toBeNull();
		expect(metaName(" O'Neil-Smith ")).toBe('oneilsmith');
		expect(metaName('Zoë')).toBe('zoë');
		expect(countryCode('United Kingdom')).toBe('GB');
		expect(countryCode('de')).toBe('DE');
		expect(countryCode('Narnia')).toBeNull();
	});

	it('writes phones of every country in E.164, as each country writes them, with the country as a code or a name', async () => {
		const cases: [string, string | null, string | null][] = [
			['0151 23456789', 'Germany', '+4915123456789'],
			['06 12 34 56 78', 'FR', '+33612345678'],
			['03-1234-5678', 'Japan', '+81312345678'],
			['(11) 91234-5678', 'Brasil', '+5511912345678'],
			['098765 43210', 'India', '+919876543210'],
			['0412 345 678', 'AU', '+61412345678'],
			['55 1234 5678', 'Mexico', '+525512345678'],
			['044 668 18 00', 'Schweiz', '+41446681800'],
			// Countries the hand-written table of calling codes did not have.
			['010-1234-5678', 'South Korea', '+821012345678'],
			['082 123 4567', 'South Africa', '+27821234567'],
			['081 234 5678', 'Thailand', '+66812345678'],
			['0912 345 678', 'Taiwan', '+886912345678'],
			// International prefixes: `00`, and the country's own (011 from North America).
			['00 44 20 7946 0958', 'FR', '+442079460958'],
			['011 49 151 23456789', 'US', '+4915123456789'],
			// A spreadsheet's text marker, and an extension, are not part of the number.
			["'+44 20 7946 0958", null, '+442079460958'],
			['+1 (555) 010-1234 ext. 12', null, '+15550101234'],
			// Too short for its country: no number rather than a wrong one.
			['+1 555 0101', null, null],
			['06 12 34', 'FR', null],
			['', 'DE', null]
		];
		for (const [phone, country, expected] of cases)
			expect([phone, country, await e164(phone, country)]).toEqual([phone, country, expected]);
	});

	it('knows every country by its English name, and the common other names', () => {
		expect(countryCode('South Africa')).toBe('ZA');
		expect(countryCode('Czechia')).toBe('CZ');
		expect(countryCode('Czech Republic')).toBe('CZ');
		expect(countryCode('  united   states ')).toBe('US');
		expect(countryCode('USA')).toBe('US');
		expect(countryCode('Deutschland')).toBe('DE');
		expect(countryCode('European Union')).toBeNull();
	});

	it('hashes with Web Crypto exactly as Node does, for any text', async () => {
		for (const text of ['', 'ann.lee@gmail.com', 'zoë', '東京', '🚀\n\t"\'']) expect(await sha256Hex(text)).toBe(sha(text));
	});

	it('writes cells a spreadsheet will not run', () => {
		expect(csvCell('=1+1')).toBe("'=1+1");
		expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
		expect(csvCell('a,"b"')).toBe('"a,""b"""');
		expect(csvCell(null)).toBe('');
	});
});

describe('presets', () => {
	it('email list: addresses normalised, names kept, the segment as a tag, no address no row', () => {
		expect(emailListCsv(ROWS, 'Spring VIPs')).toBe(
			[
				'email,first_name,last_name,tags',
				"ann.lee@gmail.com,Zoë,O'Neil,Spring VIPs",
				`x@y.co,"'=HYPERLINK(""http://evil"")",Ng,Spring VIPs`,
				''
			].join('\n')
		);
		expect(emailListCsv(ROWS.slice(0, 1), null)).toContain(',Champions\n');
	});

	it('Meta: every identifier normalised and hashed; rows with neither email nor phone left out', async () => {
		const lines = (await metaAudienceCsv(ROWS)).trim().split('\n');
		expect(lines[0]).toBe('email,phone,fn,ln,country');
		expect(lines.slice(1)).toEqual([
			[sha('ann.lee@gmail.com'), sha('15550101234'), sha('zoë'), sha('oneil'), sha('us')].join(','),
			['', sha('4915123456789'), sha('jürgen'), sha('müllerlüdenscheidt'), sha('de')].join(','),
			['', sha('442079460958'), '', '', sha('gb')].join(','),
			[sha('x@y.co'), '', sha('hyperlinkhttpevil'), sha('ng'), ''].join(',')
		]);
	});

	it('Google: gmail dots removed, E.164 phones, names lower-cased, all hashed; country plain', async () => {
		const lines = (await googleAudienceCsv(ROWS)).trim().split('\n');
		expect(lines[0]).toBe('Email,Phone,First Name,Last Name,Country,Zip');
		expect(lines.slice(1)).toEqual([
			[sha('annlee@gmail.com'), sha('+15550101234'), sha('zoë'), sha("o'neil"), 'US', ''].join(','),
			['', sha('+4915123456789'), sha('jürgen'), sha('müller-lüdenscheidt'), 'DE', ''].join(','),
			['', sha('+442079460958'), '', '', 'GB', ''].join(','),
			[sha('x@y.co'), '', sha('=hyperlink("http://evil")'), sha('ng'), '', ''].join(',')
		]);
	});
});
