/**
 * Telling, from a file's first bytes, whether it is text we can read, and if not, what it is —
 * so a merchant who drops a workbook or a PDF is told what to do instead of seeing a parse error.
 */

export type FileKind = { readable: true } | { readable: false; message: string };

const SIGNATURES: { bytes: number[]; message: string }[] = [
	{
		bytes: [0x50, 0x4b, 0x03, 0x04],
		message:
			'This is an Excel workbook or a ZIP archive, not a CSV file. Open it in your spreadsheet app, choose "Save as" → CSV (UTF-8), and drop that file here.'
	},
	{
		bytes: [0xd0, 0xcf, 0x11, 0xe0],
		message:
			'This is an old Excel (.xls) workbook, not a CSV file. Open it in your spreadsheet app, choose "Save as" → CSV (UTF-8), and drop that file here.'
	},
	{ bytes: [0x1f, 0x8b], message: 'This file is compressed (gzip). Unpack it first and drop the .csv file inside.' },
	{
		bytes: [0x50, 0x41, 0x52, 0x31],
		message: 'This is a Parquet file. Only CSV and other delimited text files can be read for now: export your orders as CSV.'
	},
	{
		bytes: [0x25, 0x50, 0x44, 0x46],
		message: 'This is a PDF document, not an order export. Export your orders from your shop as a CSV file and drop that here.'
	},
	{
		bytes: [0x89, 0x50, 0x4e, 0x47],
		message: 'This is a PNG image, not an order export. Export your orders from your shop as a CSV file and drop that here.'
	},
	{
		bytes: [0xff, 0xd8, 0xff],
		message: 'This is a JPEG image, not an order export. Export your orders from your shop as a CSV file and drop that here.'
	},
	{
		bytes: [0x47, 0x49, 0x46, 0x38],
		message: 'This is a GIF image, not an order export. Export your orders from your shop as a CSV file and drop that here.'
	}
];

/**
 * Classifies a file from its size and first bytes (64 KiB is plenty).
 * @param size the whole file's size in bytes
 * @param head the first bytes of the file
 */
export function classifyFile(size: number, head: Uint8Array): FileKind {
	if (size === 0) return { readable: false, message: 'This file is empty (0 bytes). Export your orders again and drop the new file here.' };
	for (const s of SIGNATURES) {
		if (s.bytes.every((b, i) => head[i] === b)) return { readable: false, message: s.message };
	}
	if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
		return { readable: false, message: 'This text file is saved as UTF-16. Save it again as "CSV UTF-8" and drop that file here.' };
	}
	if (head.includes(0)) {
		return {
			readable: false,
			message: 'This is not a text file (it contains binary data). Export your orders as a CSV file and drop that here.'
		};
	}
	const text = new TextDecoder('utf-8', { fatal: false }).decode(head);
	if (text.replace(/^\uFEFF/, '').trim() === '') {
		return { readable: false, message: 'This file holds only blank lines or spaces. Export your orders again and drop the new file here.' };
	}
	// A cut at 64 KiB may split a multi-byte character: only look at complete bytes before the end.
	const bad = new TextDecoder('utf-8', { fatal: false }).decode(head.subarray(0, Math.max(0, head.length - 4))).indexOf('\uFFFD');
	if (bad >= 0) {
		return {
			readable: false,
			message:
				'This file is not UTF-8 text (it is probably saved as Windows-1252 or Latin-1). In your spreadsheet app choose "Save as" → "CSV UTF-8", and drop that file here.'
		};
	}
	return { readable: true };
}
