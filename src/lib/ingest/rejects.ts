/**
 * Lines of a file that never became rows: lines DuckDB's CSV reader rejected (more fields than the
 * header, an unclosed quote, bytes that are not UTF-8, a line over 2 MB; see `readCsvSql`) and
 * lines a converter skipped (a broken NDJSON line). They are gathered in `rejected_rows` so the
 * import report counts them among the rows read and excluded, and the excluded-rows download
 * lists them with their file, row number and reason, like rows excluded for their values.
 *
 * Row numbers count data rows from 1, as the excluded-rows download does. A rejected line is not
 * in `input_rows`, so the rows after it sit one place earlier there: `rowNumberSql` puts them back.
 */
import { rejectsTables } from './csv-dialect';
import { num, str } from '../sql';
import type { SqlRunner } from '../db/runner';
import { ORDER_CANDIDATES, REJECTED_ROWS } from '../db/tables';

/** Why a line never became a row. */
export const REJECT_REASONS = [
	'too_many_fields',
	'too_few_fields',
	'unclosed_quote',
	'not_utf8',
	'line_too_long',
	'unreadable_line',
	'broken_json'
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Reasons in the merchant's words (the import report and the excluded-rows download show them). */
export const REJECT_LABELS: Record<RejectReason, string> = {
	too_many_fields: 'More fields than the header (an unquoted comma, such as 1,234.50)',
	too_few_fields: 'Fewer fields than the header (a line cut short, or a note or footer line)',
	unclosed_quote: 'A quote (") that is never closed',
	not_utf8: 'Characters that are not UTF-8 text',
	line_too_long: 'Line longer than 2 MB',
	unreadable_line: 'Line that could not be split into fields',
	broken_json: 'Line that is not valid JSON'
};

/** A line a converter skipped before DuckDB read the file (1 = the first data row). */
export interface SkippedLine {
	row: number;
	reason: RejectReason;
	text: string;
}

/** One file's rejected lines: where DuckDB stored them (CSV reads), and lines a converter skipped. */
export interface RejectSource {
	/** The file's position among the files read together (`input_rows.file_index`). */
	fileIndex: number;
	/** The registered name the file is read under (`read_csv(name)`); null when DuckDB did not read it as CSV. */
	fileName: string | null;
	/** Lines before the first data row (the header and skipped lines): DuckDB's line numbers count them. */
	linesBeforeData: number;
	skipped?: readonly SkippedLine[];
}

/**
 * Creates `rejected_rows` (file_index, row_number, reason, rows, line, kept_before): one row per
 * rejected line. `rows` is how many data rows the line swallowed (an unclosed quote reads every
 * later line into one value); `kept_before` is how many of the file's rows in `input_rows` come
 * before it. Run right after the read that filled `input_rows`: DuckDB replaces the rejects
 * tables with each new read.
 */
export async function createRejectedRows(db: SqlRunner, sources: readonly RejectSource[]): Promise<void> {
	const parts: string[] = [];
	for (const s of sources) {
		if (s.fileName) {
			const { table } = rejectsTables(s.fileName);
			// A read that rejected nothing may leave no table behind.
			const [exists] = await db.rows<{ n: number }>(
				`SELECT CAST(count(*) AS DOUBLE) AS n FROM duckdb_tables() WHERE table_name = ${str(table)}`
			);
			if (exists && exists.n > 0) parts.push(duckdbRejectsSql(table, s.fileIndex, s.linesBeforeData));
		}
		for (const k of s.skipped ?? [])
			parts.push(
				`SELECT ${num(s.fileIndex)} AS file_index, ${num(k.row)} AS row_number, ${str(k.reason)} AS reason, 1 AS rows, ${str(k.text.slice(0, 500))} AS line`
			);
	}
	const all = parts.length
		? parts.join('\nUNION ALL\n')
		: 'SELECT NULL::INTEGER AS file_index, NULL::BIGINT AS row_number, NULL::VARCHAR AS reason, NULL::BIGINT AS rows, NULL::VARCHAR AS line WHERE false';
	await db.run(`CREATE OR REPLACE TABLE ${REJECTED_ROWS} AS
SELECT CAST(file_index AS INTEGER) AS file_index, CAST(row_number AS BIGINT) AS row_number, reason, CAST(rows AS BIGINT) AS rows, line,
	CAST(row_number - 1 - coalesce(sum(rows) OVER (PARTITION BY file_index ORDER BY row_number ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS BIGINT) AS kept_before
FROM (${all})`);
}

/** DuckDB's rejects table as rejected rows: one per line (a short line gives one error per missing field). */
function duckdbRejectsSql(table: string, fileIndex: number, linesBeforeData: number): string {
	const reason = `CASE error_type WHEN 'TOO MANY COLUMNS' THEN 'too_many_fields' WHEN 'MISSING COLUMNS' THEN 'too_few_fields' WHEN 'UNQUOTED VALUE' THEN 'unclosed_quote'
		WHEN 'INVALID ENCODING' THEN 'not_utf8' WHEN 'INVALID UNICODE' THEN 'not_utf8' WHEN 'LINE SIZE OVER MAXIMUM' THEN 'line_too_long'
		ELSE 'unreadable_line' END`;
	// An unclosed quote swallows the rest of the file: its "line" holds every later line.
	const rows = `CASE WHEN error_type = 'UNQUOTED VALUE' THEN greatest(1, len(string_split(rtrim(csv_line, chr(10) || chr(13)), chr(10)))) ELSE 1 END`;
	return `SELECT ${num(fileIndex)} AS file_index, line - ${num(linesBeforeData)} AS row_number, first(${reason} ORDER BY column_idx) AS reason,
	max(${rows}) AS rows, left(first(csv_line ORDER BY column_idx), 500) AS line
FROM ${table} GROUP BY line`;
}

/**
 * The row number in its file (1 = first data row) of the row at `position` (1-based, among the
 * file's rows in `input_rows`), counting the rejected lines before it.
 */
export function rowNumberSql(fileIndex: string, position: string): string {
	return `(${position} + coalesce((SELECT sum(r.rows) FROM ${REJECTED_ROWS} r WHERE r.file_index = ${fileIndex} AND r.kept_before < ${position}), 0))`;
}

/** Rejected rows per reason, for the import report (reason, rows; revenue is unknown). */
export const REJECTED_COUNTS_SQL = `SELECT reason, CAST(sum(rows) AS DOUBLE) AS rows, CAST(NULL AS DOUBLE) AS revenue FROM ${REJECTED_ROWS} GROUP BY reason`;

/** The rejected rows as the excluded-rows download lists them (file index, row number, reason, the line as written). */
export const REJECTED_DOWNLOAD_SQL = `SELECT file_index, row_number, reason, line FROM ${REJECTED_ROWS}`;

/** The file's first rejected line, and how many rows were rejected and read, to refuse a file that is mostly unreadable. */
export async function rejectSummary(db: SqlRunner): Promise<{
	rejected: number;
	read: number;
	first: { file_index: number; row_number: number; reason: RejectReason; line: string } | null;
}> {
	const [totals] = await db.rows<{ rejected: number; kept: number }>(
		// Every row read is in `order_candidates` (rows excluded on their own too), with or without `input_rows`.
		`SELECT CAST(coalesce((SELECT sum(rows) FROM ${REJECTED_ROWS}), 0) AS DOUBLE) AS rejected,
	CAST(coalesce((SELECT sum(lines) FROM ${ORDER_CANDIDATES}), 0) AS DOUBLE) AS kept`
	);
	const [first] = await db.rows<{ file_index: number; row_number: number; reason: RejectReason; line: string }>(
		`SELECT file_index, CAST(row_number AS DOUBLE) AS row_number, reason, line FROM ${REJECTED_ROWS} ORDER BY file_index, row_number LIMIT 1`
	);
	return { rejected: totals!.rejected, read: totals!.rejected + totals!.kept, first: first ?? null };
}

/**
 * The message for a file most of whose lines could not be read, naming the first bad row and what
 * is wrong with it; null when most lines were read (the bad ones are then excluded and counted).
 */
export function mostlyRejectedMessage(summary: Awaited<ReturnType<typeof rejectSummary>>, files: readonly string[]): string | null {
	if (!summary.first || summary.rejected * 2 <= summary.read) return null;
	const { first } = summary;
	const file = files.length > 1 ? `${files[first.file_index] ?? 'One file'}: ` : '';
	const line = first.line.split(/\r?\n/)[0]!.slice(0, 80);
	const fmt = new Intl.NumberFormat('en');
	return `${file}${fmt.format(summary.rejected)} of the ${fmt.format(summary.read)} rows could not be read, starting at row ${fmt.format(first.row_number)} ("${line}"): ${REJECT_LABELS[first.reason].toLowerCase()}. ${REJECT_ADVICE[first.reason]}`;
}

const REJECT_ADVICE: Record<RejectReason, string> = {
	too_many_fields:
		'Open the file in your spreadsheet app and save it as "CSV UTF-8" (it quotes values that hold the separator), then drop that file here.',
	too_few_fields:
		'Open the file in your spreadsheet app and save it as "CSV UTF-8" (every line then has all its fields), then drop that file here.',
	unclosed_quote: 'Open the file in a spreadsheet or text app, close or remove that quote, save it as CSV and drop it here.',
	not_utf8: 'In your spreadsheet app choose "Save as" → "CSV UTF-8", and drop that file here.',
	line_too_long: 'The line breaks may have been lost: export the orders again and drop the new file here.',
	unreadable_line: 'Open the file in your spreadsheet app, save it as "CSV UTF-8" and drop that file here.',
	broken_json: 'Export the orders again (each line must hold one whole JSON record) and drop the new file here.'
};
