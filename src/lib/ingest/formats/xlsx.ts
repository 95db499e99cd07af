/**
 * Excel workbooks (.xlsx) as tables. The reader (read-excel-file, its `universal` build: fflate and a
 * pure-JS XML parser, so it runs inside our worker) is imported when a workbook is dropped, so it
 * does not weigh on the first load. Cells formatted as dates arrive as Date objects and are
 * written as ISO dates.
 */
import type { Cell } from './csv-writer';

export interface WorkbookSheet {
	name: string;
	/** Rows of cells, leading blank rows removed. */
	rows: Cell[][];
	/** A header row with at least two named columns and at least one row under it. */
	usable: boolean;
}

/** A problem with a workbook, with the words for the merchant (and the reader's, as details). */
export class WorkbookProblem extends Error {
	constructor(
		message: string,
		readonly details: string | null = null
	) {
		super(message);
	}
}

const blank = (c: Cell) => c === null || c === undefined || (typeof c === 'string' && c.trim() === '');

/**
 * The workbook with its XML parts stored uncompressed. The reader unpacks parts over 512 KB in
 * workers that fflate starts from blob: URLs; inside our engine worker those never answered (a
 * 50,000-row workbook hung), and on two cores they would only compete with DuckDB. Unpacking here,
 * synchronously, and handing over a stored ZIP keeps it on this thread.
 */
async function storedZip(data: Blob | ArrayBuffer): Promise<ArrayBuffer> {
	const { unzipSync, zipSync } = await import('fflate');
	const bytes = new Uint8Array(data instanceof Blob ? await data.arrayBuffer() : data);
	// Only the XML parts: images and other media in a workbook are not needed.
	const parts = unzipSync(bytes, { filter: (f) => /\.(xml|rels)$/i.test(f.name) });
	return zipSync(parts, { level: 0 }).buffer as ArrayBuffer;
}

/** Reads every sheet of a workbook. */
export async function readWorkbook(data: Blob | ArrayBuffer): Promise<WorkbookSheet[]> {
	const { default: readXlsxFile } = await import('read-excel-file/universal');
	let sheets: { sheet: string; data: unknown[][] }[];
	try {
		sheets = (await readXlsxFile(await storedZip(data))) as unknown as { sheet: string; data: unknown[][] }[];
	} catch (e) {
		// read-excel-file 9.3 parses a sheet in chunks by recursion, one level per chunk, and shrinks the
		// chunks while the machine is busy: a sheet of tens of thousands of rows can overflow the worker's stack.
		if (e instanceof RangeError || (e as { cause?: unknown }).cause instanceof RangeError)
			throw new WorkbookProblem(
				'This workbook is too large for the spreadsheet reader in this browser (it ran out of stack space on the sheet). Save the sheet as "CSV UTF-8" in your spreadsheet app and drop that file here: CSV files of any size are read from disk.'
			);
		throw new WorkbookProblem(
			'This Excel workbook could not be opened because it may be damaged, protected by a password, or not an .xlsx file. Open it in your spreadsheet app, save it again as .xlsx or as CSV UTF-8, and drop that file here.',
			e instanceof Error ? e.message.split('\n')[0] : String(e)
		);
	}
	return sheets.map(({ sheet, data }) => {
		const all = data as Cell[][];
		const first = all.findIndex((r) => !r.every(blank));
		const rows = first < 0 ? [] : all.slice(first);
		const header = rows[0] ?? [];
		const usable = header.filter((c) => !blank(c)).length >= 2 && rows.slice(1).some((r) => !r.every(blank));
		return { name: sheet, rows, usable };
	});
}

/** The sheet to read: the one asked for, else the usable sheet with the most rows. */
export function pickSheet(sheets: readonly WorkbookSheet[], wanted?: string | null): WorkbookSheet {
	if (wanted) {
		const sheet = sheets.find((s) => s.name === wanted);
		if (!sheet) throw new WorkbookProblem(`This workbook has no sheet called "${wanted}".`);
		if (!sheet.usable)
			throw new WorkbookProblem(`The sheet "${wanted}" holds no table (a header row and at least one row under it). Pick another sheet.`);
		return sheet;
	}
	const usable = sheets.filter((s) => s.usable);
	if (usable.length === 0) {
		const names = sheets.map((s) => `"${s.name}"`).join(', ');
		throw new WorkbookProblem(
			`None of the sheets in this workbook (${names || 'none'}) holds a table of orders: a header row with column names and at least one row under it. Put your orders on a sheet with one header row, or export them as CSV, and drop that file here.`
		);
	}
	return usable.reduce((best, s) => (s.rows.length > best.rows.length ? s : best));
}
