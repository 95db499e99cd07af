import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { date, ident, num, str } from '../../src/lib/sql';
import { openWasmDb, type WasmTestDb } from './duckdb-wasm-node';

/** Text a merchant's file, a URL or a user-named segment could carry. */
const HOSTILE = [
	"O'Reilly",
	"''",
	"'",
	'"',
	'""',
	'a"b',
	"'; DROP TABLE victims; --",
	'"; DROP TABLE victims; --',
	"x' OR '1'='1",
	'SELECT',
	'select * from victims',
	'NULL',
	'TRUE',
	'-- comment',
	'/* comment */',
	'$$dollar$$',
	'\\',
	'\\n is not a newline',
	"\\'",
	'line\nbreak',
	'tab\there',
	'cr\r\nlf',
	'Ünïcødé façade',
	'顧客番号',
	'עברית ‏RTL',
	'emoji 🛒🧾 👩‍👩‍👧',
	'e\u0301 combining',
	'zero\u200bwidth',
	'nbsp\u00a0here',
	'  padded  ',
	'?',
	'$1',
	'%s %d',
	'{}[]()',
	';',
	'a'.repeat(5000)
];

let db: WasmTestDb;
beforeAll(async () => {
	db = await openWasmDb();
	await db.run('CREATE TABLE victims AS SELECT 1 AS id');
});
afterAll(() => db.close());

describe('str', () => {
	it('writes literals that read back exactly', async () => {
		const select = HOSTILE.map((x, i) => `${str(x)} AS v${i}`).join(', ');
		const [row] = await db.rows<Record<string, string>>(`SELECT ${select}`);
		expect(HOSTILE.map((_, i) => row![`v${i}`])).toEqual(HOSTILE);
	});

	it('keeps an injection attempt inside the string', async () => {
		const [row] = await db.rows<{ v: string; n: number }>(
			`SELECT ${str("'; DROP TABLE victims; --")} AS v, (SELECT CAST(count(*) AS DOUBLE) FROM victims) AS n`
		);
		expect(row).toEqual({ v: "'; DROP TABLE victims; --", n: 1 });
	});

	it('writes a NUL character, which would end the query text, as chr(0)', async () => {
		expect(str('a\0b')).toBe("('a' || chr(0) || 'b')");
		const [row] = await db.rows<{ v: string; n: number }>(`SELECT ${str("x\0'; DROP TABLE victims; --\0")} AS v, length(v) AS n`);
		expect(row).toEqual({ v: "x\0'; DROP TABLE victims; --\0", n: 28 });
		expect(await db.rows('SELECT id FROM victims')).toEqual([{ id: 1 }]);
	});

	it('quotes only by doubling single quotes', () => {
		expect(str("O'Reilly")).toBe("'O''Reilly'");
		expect(str('')).toBe("''");
		expect(str('a"b\\c')).toBe(`'a"b\\c'`);
	});

	it('compares equal to the same text stored in a table', async () => {
		await db.run(`CREATE TABLE names AS SELECT * FROM (VALUES ${HOSTILE.map((x, i) => `(${i}, ${str(x)})`).join(', ')}) t(i, name)`);
		for (const [i, x] of HOSTILE.entries()) {
			const rows = await db.rows<{ i: number }>(`SELECT i FROM names WHERE name = ${str(x)}`);
			expect(rows, JSON.stringify(x)).toEqual([{ i }]);
		}
	});
});

describe('ident', () => {
	// DuckDB identifiers are case-insensitive, and an identifier cannot hold NUL or be empty:
	// the hostile names here are all distinct ignoring case.
	const names = HOSTILE.filter((x) => x.length < 100);

	it('quotes column names so every one is created and selected as written', async () => {
		const columns = names.map((x, i) => `${i} AS ${ident(x)}`).join(', ');
		await db.run(`CREATE TABLE hostile_columns AS SELECT ${columns}`);
		const described = await db.rows<{ column_name: string }>('DESCRIBE hostile_columns');
		expect(described.map((d) => d.column_name)).toEqual(names);
		const [row] = await db.rows<Record<string, number>>(`SELECT ${names.map((x) => ident(x)).join(', ')} FROM hostile_columns`);
		expect(Object.values(row!)).toEqual(names.map((_, i) => i));
		expect(await db.rows('SELECT id FROM victims')).toEqual([{ id: 1 }]);
	});

	it('quotes table names', async () => {
		for (const x of ['Order Export (2024)', 'x"; DROP TABLE victims; --', 'select']) {
			await db.run(`CREATE TABLE ${ident(x)} AS SELECT 42 AS answer`);
			expect(await db.rows(`SELECT answer FROM ${ident(x)}`)).toEqual([{ answer: 42 }]);
			await db.run(`DROP TABLE ${ident(x)}`);
		}
		expect(await db.rows('SELECT id FROM victims')).toEqual([{ id: 1 }]);
	});

	it('doubles inner double quotes and nothing else', () => {
		expect(ident('Order #')).toBe('"Order #"');
		expect(ident('a"b')).toBe('"a""b"');
		expect(ident("it's")).toBe(`"it's"`);
	});
});

describe('num', () => {
	const VALUES = [
		0,
		-0,
		1,
		-1,
		42,
		0.1,
		0.1 + 0.2,
		1 / 3,
		-2.5,
		123456.789,
		1e21,
		1e-7,
		5e-324,
		Number.MIN_VALUE * 3,
		Number.MAX_VALUE,
		-Number.MAX_VALUE,
		Number.MAX_SAFE_INTEGER,
		Number.MAX_SAFE_INTEGER + 1,
		-Number.MAX_SAFE_INTEGER,
		2 ** 60,
		1234.5
	];

	it('writes literals that read back as the same double', async () => {
		const select = VALUES.map((x, i) => `CAST(${num(x)} AS DOUBLE) AS v${i}`).join(', ');
		const [row] = await db.rows<Record<string, number>>(`SELECT ${select}`);
		// -0 and 0 are the same amount.
		expect(VALUES.map((_, i) => row![`v${i}`]! + 0)).toEqual(VALUES.map((x) => x + 0));
	});

	it('types non-integers as DOUBLE, not DECIMAL', async () => {
		const [row] = await db.rows<Record<string, string>>(
			`SELECT typeof(${num(0.1)}) AS a, typeof(${num(1234.5)}) AS b, typeof(${num(1e21)}) AS c`
		);
		expect(row).toEqual({ a: 'DOUBLE', b: 'DOUBLE', c: 'DOUBLE' });
		expect(num(12)).toBe('12');
		expect(num(0.1)).toBe('1e-1');
	});

	it('compares exactly with the same double stored in a table (score thresholds)', async () => {
		const doubles = VALUES.filter((x) => Math.abs(x) < 1e300);
		db.registerText('doubles.csv', `i,v\n${doubles.map((x, i) => `${i},${String(x)}`).join('\n')}\n`);
		await db.run(`CREATE TABLE doubles AS SELECT * FROM read_csv('doubles.csv', header = true, columns = {'i': 'INTEGER', 'v': 'DOUBLE'})`);
		for (const [i, x] of doubles.entries()) {
			const rows = await db.rows<{ i: number }>(`SELECT i FROM doubles WHERE v <= ${num(x)} AND v >= ${num(x)}`);
			// 0 and -0 are one value, so both rows match either literal.
			const expected = x === 0 ? doubles.flatMap((y, j) => (y === 0 ? [{ i: j }] : [])) : [{ i }];
			expect(
				rows.sort((a, b) => a.i - b.i),
				String(x)
			).toEqual(expected);
		}
	});

	it('refuses values that are not finite numbers', () => {
		expect(() => num(NaN)).toThrow('Not a finite number: NaN');
		expect(() => num(Infinity)).toThrow('Not a finite number: Infinity');
		expect(() => num(-Infinity)).toThrow('Not a finite number: -Infinity');
	});
});

describe('date', () => {
	it('writes a DATE literal from an ISO date', async () => {
		expect(date('2024-02-29')).toBe("DATE '2024-02-29'");
		const [row] = await db.rows<{ d: string }>(`SELECT strftime(${date('2024-02-29')} + 1, '%Y-%m-%d') AS d`);
		expect(row).toEqual({ d: '2024-03-01' });
	});

	it('refuses anything else, so it cannot carry SQL', () => {
		for (const bad of [
			"2024-01-01'; DROP TABLE victims; --",
			'2024-1-1',
			'01/02/2024',
			'',
			'2024-01-01 10:00',
			' 2024-01-01',
			'2024-01-01\n'
		]) {
			expect(() => date(bad), JSON.stringify(bad)).toThrow('Not an ISO date');
		}
	});
});
