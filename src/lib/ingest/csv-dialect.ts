/** How a delimited text file is written, as DuckDB's sniffer reports it. */
import { ident, str } from '../sql';

export interface CsvDialect {
	delimiter: string;
	quote: string;
	escape: string;
	hasHeader: boolean;
	skipRows: number;
	/** Header names in file order (generated `column0…` names when the file has no header). */
	columns: string[];
	/**
	 * Whether rows with fewer fields than the header are padded with empty values (a file that
	 * routinely leaves trailing fields out) instead of being excluded as short rows. Absent: padded.
	 */
	padShortRows?: boolean;
}

/** Row shape of `sniff_csv` as our SQL selects it. */
export interface SniffRow {
	delimiter: string;
	quote: string;
	escape: string;
	has_header: boolean;
	skip_rows: number;
	column_names: string[];
}

/** Asks DuckDB's sniffer for the dialect and the header of `fileName`. */
export function sniffSql(fileName: string): string {
	return `SELECT Delimiter AS delimiter, Quote AS quote, Escape AS escape, HasHeader AS has_header,
	CAST(SkipRows AS INTEGER) AS skip_rows, list_transform(Columns, c -> c.name) AS column_names
FROM sniff_csv(${str(fileName)}, sample_size = 20480)`;
}

/** The dialect from a sniff row; an "(empty)" quote becomes `"`, since a later row may still quote. */
export function dialectFromSniff(row: SniffRow): CsvDialect {
	const orDefault = (v: string) => (v === '(empty)' || v === '' ? '"' : v);
	return {
		delimiter: row.delimiter,
		quote: orDefault(row.quote),
		escape: orDefault(row.escape),
		hasHeader: row.has_header,
		skipRows: row.skip_rows,
		columns: [...row.column_names]
	};
}

/**
 * The names of DuckDB's tables of the lines a read of `fileName` rejected (`store_rejects`): one
 * pair per file, so the reads of several files in one query keep their own.
 */
export function rejectsTables(fileName: string): { scan: string; table: string } {
	const key = fileName.replace(/[^A-Za-z0-9]/g, '_');
	return { scan: `rejects_scan_${key}`, table: `rejects_${key}` };
}

/**
 * A `read_csv(...)` call that reads every column as text with the sniffed dialect and no further
 * detection: parsing is ours (see ingest-sql.ts), so a bad value in one row excludes that row with
 * a reason instead of failing the file. Lines the reader cannot split (fewer or more fields than
 * the header, an unclosed quote, bytes that are not UTF-8, a line over 2 MB) are skipped and
 * stored in `rejectsTables(fileName)` with their line and error, so the import report counts them
 * and the excluded-rows download lists them (rejects.ts).
 *
 * A file that routinely leaves trailing fields out (`padShortRows`) has its short rows padded
 * with NULLs instead. Padding hides an unclosed quote (DuckDB 1.4 then drops the rest of the file
 * without a reject), so it is only used where short rows are the file's habit; and DuckDB refuses
 * padding with quoted line breaks in its parallel reader, hence `parallel = false` with it
 * (DuckDB-WASM reads on one thread anyway).
 */
export function readCsvSql(fileName: string, dialect: CsvDialect): string {
	const columns = dialect.columns.map((c) => `${str(c)}: 'VARCHAR'`).join(', ');
	const rejects = rejectsTables(fileName);
	const padding = dialect.padShortRows === false ? 'null_padding = false' : 'null_padding = true, parallel = false';
	return `read_csv(${str(fileName)}, auto_detect = false, header = ${dialect.hasHeader}, skip = ${dialect.skipRows},
	delim = ${str(dialect.delimiter)}, quote = ${str(dialect.quote)}, escape = ${str(dialect.escape)},
	${padding}, store_rejects = true, rejects_scan = ${str(rejects.scan)}, rejects_table = ${str(rejects.table)},
	columns = {${columns}})`;
}

/**
 * Whether short rows are the file's habit (a fifth or more of the first lines have fewer fields
 * than the header): then they are padded; otherwise a short line is a stray one, excluded.
 * @param head the first bytes of the file as text
 */
export function shortRowsAreUsual(head: string, dialect: CsvDialect): boolean {
	const lines = head
		.replace(/^\uFEFF/, '')
		.split(/\r?\n|\r/)
		.slice(dialect.skipRows + (dialect.hasHeader ? 1 : 0), 201)
		.filter((l) => l.trim() !== '');
	if (lines.length > 2) lines.pop();
	if (lines.length === 0) return false;
	const short = lines.filter((l) => splitCsvLine(l, dialect.delimiter).length < dialect.columns.length).length;
	return short >= lines.length / 5;
}

const DELIMITERS = [',', ';', '\t', '|'];

/** Splits one CSV line on `delimiter`, honouring `"` quotes (doubled quotes inside). */
export function splitCsvLine(line: string, delimiter: string): string[] {
	const fields: string[] = [];
	let field = '';
	let quoted = false;
	for (let i = 0; i < line.length; i++) {
		const c = line[i]!;
		if (quoted && c === '"' && line[i + 1] === '"') {
			field += '"';
			i++;
		} else if (quoted && c === '"') quoted = false;
		else if (quoted) field += c;
		else if (c === '"' && field.trim() === '') quoted = true;
		else if (c === delimiter) {
			fields.push(field);
			field = '';
		} else field += c;
	}
	fields.push(field);
	return fields;
}

/**
 * The dialect from the file's first lines, for when DuckDB's sniffer gives up or finds one column
 * because a few lines disagree (a totals footer, short rows, unquoted `1,234.50` amounts, mixed line
 * endings): the separator that splits the header into the most fields and most lines into the
 * same number of fields. Null when no separator splits the header into two fields or more and at
 * least half the lines into as many.
 * @param head the first bytes of the file as text
 */
export function dialectFromHead(head: string): CsvDialect | null {
	const lines = head
		.replace(/^\uFEFF/, '')
		.split(/\r?\n|\r/)
		.slice(0, 201)
		.filter((l) => l.trim() !== '');
	// The last line of a slice may be cut short.
	if (lines.length > 2) lines.pop();
	if (lines.length < 2) return null;
	let best: { delimiter: string; fields: string[]; share: number } | null = null;
	for (const delimiter of DELIMITERS) {
		const header = splitCsvLine(lines[0]!, delimiter);
		if (header.length < 2) continue;
		const rows = lines.slice(1).map((l) => splitCsvLine(l, delimiter).length);
		// Most rows split into at least the header's fields (rows with more are the reader's to reject).
		if (rows.filter((n) => n >= header.length).length < rows.length / 2) continue;
		const share = rows.filter((n) => n === header.length).length / rows.length;
		if (!best || share > best.share || (share === best.share && header.length > best.fields.length))
			best = { delimiter, fields: header, share };
	}
	if (!best) return null;
	// A header names its columns: no field of it reads as a number.
	const hasHeader = best.fields.every((f) => f.trim() === '' || !/^[-+]?[\d.,]+$/.test(f.trim()));
	const seen = new Map<string, number>();
	const columns = best.fields.map((f, i) => {
		const name = hasHeader ? f.trim() || `column${i}` : `column${i}`;
		const n = seen.get(name) ?? 0;
		seen.set(name, n + 1);
		return n === 0 ? name : `${name}_${n}`;
	});
	return { delimiter: best.delimiter, quote: '"', escape: '"', hasHeader, skipRows: 0, columns };
}

/** The first rows of the file, every column as text, for the preview and the column detector. */
export function previewSql(fileName: string, dialect: CsvDialect, rows: number): string {
	const list = dialect.columns.map((c) => ident(c)).join(', ');
	return `SELECT ${list} FROM ${readCsvSql(fileName, dialect)} LIMIT ${Math.trunc(rows)}`;
}
