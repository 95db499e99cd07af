/**
 * JSON order files as a table: an array of records (or an object holding one, such as
 * `{"orders": [...]}`), or NDJSON with one record per line. Nested objects are flattened one level
 * (`{"customer": {"email": …}}` → column `customer.email`); deeper values and lists stay as JSON text.
 * DuckDB's `read_json` lives in an extension we cannot download (see design.md), so this is plain JS.
 */
import type { Cell } from './csv-writer';

/** A problem with a JSON file, with the words for the merchant (and the parser's, as details). */
export class JsonProblem extends Error {
	constructor(
		message: string,
		readonly details: string | null = null
	) {
		super(message);
	}
}

/** Records turned into columns (first-seen order) and rows of cells. */
export class RecordTable {
	readonly columns: string[] = [];
	readonly rows: Cell[][] = [];
	readonly #index = new Map<string, number>();

	/** Adds one record; a value that is not an object is refused with `where` in the message. */
	add(record: unknown, where: string): void {
		if (record === null || typeof record !== 'object' || Array.isArray(record))
			throw new JsonProblem(`${where} is ${describe(record)}, not a record with named fields such as {"order_id": …, "total": …}.`);
		const row: Cell[] = [];
		for (const [key, value] of Object.entries(record)) {
			if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
				for (const [sub, inner] of Object.entries(value)) this.#set(row, `${key}.${sub}`, inner);
			} else this.#set(row, key, value);
		}
		this.rows.push(row);
	}

	#set(row: Cell[], column: string, value: unknown): void {
		let i = this.#index.get(column);
		if (i === undefined) {
			i = this.columns.length;
			this.columns.push(column);
			this.#index.set(column, i);
		}
		row[i] = value === null || value === undefined ? null : typeof value === 'object' ? JSON.stringify(value) : (value as Cell);
	}
}

function describe(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'string') return `the text "${value.slice(0, 40)}"`;
	return `the ${typeof value} ${String(value).slice(0, 40)}`;
}

const isRecord = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The largest list of records in a JSON document, looked for two levels down
 * (`{"orders": [...]}`, `{"data": {"orders": [...]}}`), with its path; null when there is none.
 */
function largestRecordList(doc: Record<string, unknown>): { path: string; records: unknown[] } | null {
	let best: { path: string; records: unknown[] } | null = null;
	const consider = (path: string, value: unknown) => {
		if (Array.isArray(value) && value.length > 0 && value.every(isRecord) && (!best || value.length > best.records.length))
			best = { path, records: value };
	};
	for (const [key, value] of Object.entries(doc)) {
		consider(key, value);
		if (isRecord(value)) for (const [inner, v] of Object.entries(value as Record<string, unknown>)) consider(`${key}.${inner}`, v);
	}
	return best;
}

/** Parses a JSON document holding the records, and says where they were found when it was not the top level. */
export function jsonRecords(text: string): { table: RecordTable; note: string | null } {
	let doc: unknown;
	try {
		doc = JSON.parse(text);
	} catch (e) {
		throw new JsonProblem(
			'This JSON file could not be read: it may be cut short or damaged. Download or export it again and drop the new file here.',
			e instanceof Error ? e.message : String(e)
		);
	}
	let records: unknown[];
	let note: string | null = null;
	if (Array.isArray(doc)) records = doc;
	else if (isRecord(doc)) {
		const inner = largestRecordList(doc as Record<string, unknown>);
		const lists = Object.values(doc as Record<string, unknown>).filter(Array.isArray);
		if (!inner && lists.length > 0 && lists.every((l) => l.length === 0)) {
			// `{"orders": []}`: an export with no orders, not one order with an empty list.
			records = [];
		} else if (!inner) {
			// A single record is a file with one order: read it as one row.
			records = [doc];
		} else {
			records = inner.records;
			note = `Read the records in the JSON file's "${inner.path}" list.`;
		}
	} else
		throw new JsonProblem(
			`This JSON file holds ${describe(doc)}, not a list of orders. Export your orders as JSON records (a list of objects such as {"order_id": …, "total": …}) or as CSV, and drop that file here.`
		);
	const table = new RecordTable();
	records.forEach((r, i) => table.add(r, `Item ${i + 1} of the JSON list`));
	return { table, note };
}

/**
 * Reads NDJSON text that arrives in pieces: one record per non-blank line. A line that is not a
 * JSON record is skipped and remembered (`skipped`, with its row number among the records), so the
 * import report counts it like a bad CSV row instead of refusing the file.
 */
export class NdjsonReader {
	readonly table = new RecordTable();
	readonly skipped: { row: number; text: string }[] = [];
	#rest = '';
	#line = 0;

	push(text: string): void {
		const lines = (this.#rest + text).split('\n');
		this.#rest = lines.pop()!;
		for (const l of lines) this.#take(l);
	}

	end(): RecordTable {
		this.#take(this.#rest);
		this.#rest = '';
		return this.table;
	}

	#take(raw: string): void {
		this.#line++;
		const line = this.#line === 1 ? raw.replace(/^\uFEFF/, '').trim() : raw.trim();
		if (line === '') return;
		let value: unknown;
		try {
			value = JSON.parse(line);
		} catch {
			value = undefined;
		}
		if (!isRecord(value)) {
			// Its place among the data rows: the rows read so far, the skipped ones included.
			this.skipped.push({ row: this.table.rows.length + this.skipped.length + 1, text: line.slice(0, 500) });
			return;
		}
		this.table.add(value, `Line ${this.#line} of this NDJSON file`);
	}
}
