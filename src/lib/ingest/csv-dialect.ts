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
 * A `read_csv(...)` call that reads every column as text with the sniffed dialect and no further
 * detection: parsing is ours (see ingest-sql.ts), so a bad value in one row excludes that row with
 * a reason instead of failing the file. Short rows are padded with NULLs.
 */
export function readCsvSql(fileName: string, dialect: CsvDialect): string {
	const columns = dialect.columns.map((c) => `${str(c)}: 'VARCHAR'`).join(', ');
	return `read_csv(${str(fileName)}, auto_detect = false, header = ${dialect.hasHeader}, skip = ${dialect.skipRows},
	delim = ${str(dialect.delimiter)}, quote = ${str(dialect.quote)}, escape = ${str(dialect.escape)},
	null_padding = true, columns = {${columns}})`;
}

/** The first rows of the file, every column as text, for the preview and the column detector. */
export function previewSql(fileName: string, dialect: CsvDialect, rows: number): string {
	const list = dialect.columns.map((c) => ident(c)).join(', ');
	return `SELECT ${list} FROM ${readCsvSql(fileName, dialect)} LIMIT ${Math.trunc(rows)}`;
}
