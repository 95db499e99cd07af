/**
 * Audience exports: normalisation by Meta's and Google's published rules, SHA-256 from Web Crypto
 * checked against Node's crypto, and CSV cells that a spreadsheet will not run as formulas.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
	countryCode,
	csvCell,
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
	it('follows the platforms’ rules for emails, phones, names and countries', () => {
		expect(normaliseEmail('  Ann.Lee@GMail.com ')).toBe('ann.lee@gmail.com');
		expect(normaliseEmail('no at sign')).toBeNull();
		expect(googleEmail('Ann.Lee+shop@googlemail.com')).toBe('annlee+shop@googlemail.com');
		expect(googleEmail('ann.lee@example.com')).toBe('ann.lee@example.com');
		expect(e164('(555) 010-1234', 'US')).toBe('+15550101234');
		expect(e164('1 555 010 1234', 'United States')).toBe('+15550101234');
		expect(e164('0049 151 23456789', null)).toBe('+4915123456789');
		expect(e164('020 7946 0958', 'GB')).toBe('+442079460958');
		expect(e164('06 1234 5678', 'IT')).toBe('+3906 1234 5678'.replace(/ /g, ''));
		expect(e164('020 7946 0958', null)).toBeNull();
		expect(e164('123', 'US')).toBeNull();
		expect(metaName(" O'Neil-Smith ")).toBe('oneilsmith');
		expect(metaName('Zoë')).toBe('zoë');
		expect(countryCode('United Kingdom')).toBe('GB');
		expect(countryCode('de')).toBe('DE');
		expect(countryCode('Narnia')).toBeNull();
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
