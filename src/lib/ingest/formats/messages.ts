/**
 * Messages about a file's layout that the sniffer cannot give: a file it reads as one column.
 */
import type { CsvDialect } from '../csv-dialect';

const SEPARATORS: [string, string][] = [
	[';', 'semicolons (;)'],
	[',', 'commas (,)'],
	['\t', 'tabs'],
	['|', 'pipes (|)']
];

/**
 * A file read as a single column cannot hold a customer, a date and an amount: usually its lines
 * are not split on the separator they hold (the header uses one separator and the rows another, or
 * the rows have different numbers of fields). Returns the message, or null when there are columns.
 * @param dialect the sniffed dialect
 * @param firstRow the first row of values as read
 */
export function oneColumnProblem(dialect: CsvDialect, firstRow: readonly string[] | undefined): string | null {
	if (dialect.columns.length !== 1) return null;
	const line = dialect.hasHeader ? dialect.columns[0]! : (firstRow?.[0] ?? '');
	const shown = line.length > 80 ? `${line.slice(0, 80)}…` : line;
	const seen = SEPARATORS.filter(([s]) => line.includes(s)).map(([, words]) => words);
	const hint =
		seen.length > 0
			? ` Its first line holds ${seen.join(' and ')}, but the lines could not be split on ${seen.length > 1 ? 'any of them' : 'them'} into the same number of fields.`
			: ' No comma, semicolon, tab or pipe separates its fields.';
	return `Only one column was found in this file (its first line is "${shown}"), so it cannot hold a customer, an order date and an amount.${hint} Open it in your spreadsheet app and save it as CSV with one separator between fields, and the same number of fields on every line, then drop that file here.`;
}
