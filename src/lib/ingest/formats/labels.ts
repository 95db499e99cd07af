/** Words for the merchant about how a file was read. */
import type { PreparedFormat } from './prepare';

const FORMATS: Record<PreparedFormat['format'], string> = {
	csv: 'Delimited text',
	'csv-gzip': 'Compressed text (.gz)',
	xlsx: 'Excel workbook',
	parquet: 'Parquet file',
	json: 'JSON file',
	ndjson: 'NDJSON file (one record per line)',
	zip: 'ZIP archive'
};

const ENCODINGS: Record<NonNullable<PreparedFormat['encoding']>, string> = {
	'utf-8': 'UTF-8',
	'windows-1252': 'Windows-1252 / Latin-1',
	'utf-16le': 'UTF-16',
	'utf-16be': 'UTF-16'
};

/** "Delimited text, Windows-1252 / Latin-1", "Excel workbook", … */
export function formatLabel(format: Pick<PreparedFormat, 'format' | 'encoding'>): string {
	const encoding = format.encoding && format.format !== 'xlsx' && format.format !== 'parquet' ? `, ${ENCODINGS[format.encoding]}` : '';
	return `${FORMATS[format.format]}${encoding}`;
}

/** "12.5 MB of 80.0 MB": how far a conversion has come. */
export function progressAmount(done: number, total: number): string {
	const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
	return `${mb(done)} of ${mb(total)}`;
}
