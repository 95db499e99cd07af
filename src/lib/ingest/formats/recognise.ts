/**
 * Which kind of order file a dropped file is, from its name and first bytes: the delimited text the
 * pipeline reads as it is, or a format we first turn into UTF-8 CSV (legacy encodings, gzip,
 * Excel, Parquet, JSON). Everything else gets `classifyFile`'s message (image, PDF, binary…).
 */
import { classifyFile } from '../file-kind';

export type FileFormat = 'csv' | 'csv-gzip' | 'xlsx' | 'parquet' | 'json' | 'ndjson' | 'zip';
/** Text encodings we read. `windows-1252` covers Latin-1 files too (see `detectEncoding`). */
export type TextEncoding = 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be';

export type Recognised = { ok: true; format: FileFormat; encoding: TextEncoding | null } | { ok: false; message: string };

const startsWith = (head: Uint8Array, bytes: number[]) => bytes.every((b, i) => head[i] === b);

/** Bytes to look at: enough for a header and some rows, not so many that a huge file is read. */
export const HEAD_BYTES = 65536;

/**
 * Recognises a file from its name, size and first bytes (HEAD_BYTES of them).
 * A gzip file is `csv-gzip` here: what is inside is recognised after unpacking its start.
 */
export function recogniseFile(name: string, size: number, head: Uint8Array): Recognised {
	const lower = name.toLowerCase();
	if (size > 0 && startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return recogniseZip(lower, head);
	if (size > 0 && startsWith(head, [0x1f, 0x8b])) return { ok: true, format: 'csv-gzip', encoding: null };
	if (size > 0 && startsWith(head, [0x50, 0x41, 0x52, 0x31])) return { ok: true, format: 'parquet', encoding: null };
	if (size > 0 && startsWith(head, [0xff, 0xfe])) return textRecognised(lower, decodeHead(head, 'utf-16le'), 'utf-16le');
	if (size > 0 && startsWith(head, [0xfe, 0xff])) return textRecognised(lower, decodeHead(head, 'utf-16be'), 'utf-16be');
	// UTF-16 without a byte-order mark: every other byte of ASCII text is zero.
	const utf16 = size > 0 ? utf16WithoutBom(head) : null;
	if (utf16) return textRecognised(lower, decodeHead(head, utf16), utf16);
	// UTF-8 text, or text in a legacy single-byte encoding: classifyFile refuses the latter, we read it.
	const kind = classifyFile(size, wholeCharacters(head));
	if (kind.readable) return textRecognised(lower, decodeHead(head, 'utf-8'), 'utf-8');
	if (detectEncoding(head) === 'utf-8') return { ok: false, message: kind.message };
	// Not UTF-8: legacy text when it reads as text once decoded; otherwise what classifyFile says (an image, binary…).
	const text = decodeHead(head, 'windows-1252');
	if (!classifyFile(size, wholeCharacters(new TextEncoder().encode(text))).readable) return { ok: false, message: kind.message };
	if (looksBinary(text)) return { ok: false, message: BINARY };
	return textRecognised(lower, text, 'windows-1252');
}

/** Text as a format, unless it is a web page (an expired export link saves its sign-in page). */
function textRecognised(lowerName: string, text: string, encoding: TextEncoding): Recognised {
	if (/^\s*(<!doctype html|<html[\s>]|<head[\s>]|<\?xml[^>]*>\s*<html)/i.test(text.replace(/^\uFEFF/, '')))
		return {
			ok: false,
			message:
				'This is a web page (HTML), not an order export: usually the sign-in or error page saved when an export link has expired. Sign in to your shop, download the export again, and drop that file here.'
		};
	return { ok: true, format: textFormat(lowerName, text), encoding };
}

/**
 * UTF-16 text without a byte-order mark, from the byte pattern: in text of Latin letters, digits
 * and punctuation, every second byte is zero (the high byte of each character), at odd positions
 * for little-endian, at even ones for big-endian. Binary data has zeros at both.
 */
export function utf16WithoutBom(head: Uint8Array): 'utf-16le' | 'utf-16be' | null {
	const n = Math.min(head.length, 4096) & ~1;
	if (n < 8) return null;
	let even = 0;
	let odd = 0;
	for (let i = 0; i < n; i += 2) {
		if (head[i] === 0) even++;
		if (head[i + 1] === 0) odd++;
	}
	const pairs = n / 2;
	if (odd > pairs * 0.7 && even < pairs * 0.05) return 'utf-16le';
	if (even > pairs * 0.7 && odd < pairs * 0.05) return 'utf-16be';
	return null;
}

const ODS_MIME = 'application/vnd.oasis.opendocument.spreadsheet';

/**
 * A ZIP archive by its first entry (a local file header: name length at byte 26, name at 30):
 * an .xlsx workbook's parts, an OpenDocument file's `mimetype`, or an archive of other files
 * (Shopify e-mails its large exports zipped), which is unpacked when it holds one order file.
 */
function recogniseZip(lowerName: string, head: Uint8Array): Recognised {
	const nameLength = head.length >= 30 ? head[26]! | (head[27]! << 8) : -1;
	// No readable first entry: a workbook's own checks (its size, then opening it) give the message.
	if ((nameLength <= 0 || head.length < 30 + nameLength) && !lowerName.endsWith('.zip'))
		return { ok: true, format: 'xlsx', encoding: null };
	if (nameLength <= 0 || head.length < 30 + nameLength)
		return {
			ok: false,
			message:
				'This ZIP archive is damaged or cut short. Download or export it again; or unpack it yourself and drop the .csv or .xlsx file inside.'
		};
	const first = new TextDecoder().decode(head.subarray(30, 30 + nameLength));
	if (first === 'mimetype') {
		const mime = new TextDecoder().decode(head.subarray(30 + nameLength, 30 + nameLength + 80));
		if (mime.startsWith(ODS_MIME))
			return {
				ok: false,
				message:
					'This is an OpenDocument spreadsheet (.ods, from LibreOffice or OpenOffice), which cannot be read here. Open it in LibreOffice and choose File → Save As → "Text CSV" (UTF-8), or save it as .xlsx, and drop that file here.'
			};
		return {
			ok: false,
			message:
				'This is an OpenDocument file (from LibreOffice or OpenOffice), not an order export. Save your orders as CSV (UTF-8) or .xlsx and drop that file here.'
		};
	}
	if (/^(\[Content_Types\]\.xml|_rels\/|docProps\/|xl\/)/.test(first)) return { ok: true, format: 'xlsx', encoding: null };
	return { ok: true, format: 'zip', encoding: null };
}

/**
 * UTF-8 when the bytes are valid UTF-8 (a character cut at the end of the head is fine), else
 * Windows-1252. Browsers decode "latin1" / "iso-8859-1" as Windows-1252 too (WHATWG Encoding): the
 * two differ only in 0x80–0x9F, control characters in Latin-1 that text files do not hold, and
 * printable characters such as € (0x80) and “ ” (0x93, 0x94) in Windows-1252.
 */
export function detectEncoding(head: Uint8Array): 'utf-8' | 'windows-1252' {
	try {
		new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, cutAtCharacter(head)));
		return 'utf-8';
	} catch {
		return 'windows-1252';
	}
}

/**
 * The head without a character cut at its end, padded with 4 spaces: classifyFile drops the last 4
 * bytes to skip a cut character, which can itself cut the character before (a 3-byte € followed by
 * 2 bytes of the next one) and call valid UTF-8 text "not UTF-8".
 */
function wholeCharacters(head: Uint8Array): Uint8Array {
	const end = cutAtCharacter(head);
	const out = new Uint8Array(end + 4).fill(0x20);
	out.set(head.subarray(0, end));
	return out;
}

/** Where the last complete UTF-8 character of `head` ends (a lead byte with too few continuations is cut off). */
function cutAtCharacter(head: Uint8Array): number {
	for (let back = 1; back <= Math.min(4, head.length); back++) {
		const b = head[head.length - back]!;
		if ((b & 0xc0) === 0x80) continue; // a continuation byte: keep looking for its lead
		const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
		return need > back ? head.length - back : head.length;
	}
	return head.length;
}

const BINARY = 'This is not a text file (it contains binary data). Export your orders as a CSV file and drop that here.';

/** Text that is not valid UTF-8 is read as Windows-1252 only when it has (almost) no control characters. */
function looksBinary(text: string): boolean {
	// eslint-disable-next-line no-control-regex
	const controls = text.match(/[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/g)?.length ?? 0;
	return controls > Math.max(2, text.length / 1000);
}

function decodeHead(head: Uint8Array, encoding: TextEncoding): string {
	return textDecoder(encoding).decode(head);
}

/** JSON (an array, or an object holding one), NDJSON (one object per line) or delimited text. */
function textFormat(lowerName: string, text: string): FileFormat {
	const body = text.replace(/^\uFEFF/, '').trimStart();
	if (lowerName.endsWith('.ndjson') || lowerName.endsWith('.jsonl')) return 'ndjson';
	if (body.startsWith('[')) return 'json';
	// A .json file is JSON even when it holds no records (a string or a number), so it gets JSON's message.
	if (lowerName.endsWith('.json') && !body.startsWith('{')) return 'json';
	if (body.startsWith('{')) {
		// NDJSON: the first line is a whole object and another object follows on the next line.
		const newline = body.indexOf('\n');
		if (newline > 0) {
			try {
				JSON.parse(body.slice(0, newline));
				if (
					body
						.slice(newline + 1)
						.trimStart()
						.startsWith('{')
				)
					return 'ndjson';
			} catch {
				// not one object per line
			}
		}
		return 'json';
	}
	return 'csv';
}

/** Windows-1252's characters at 0x80–0x9F (the five undefined bytes stay as C1 controls, as in WHATWG). */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

/**
 * A TextDecoder for `encoding`. Node's decoder (unlike browsers') reads "windows-1252" as Latin-1,
 * turning € into U+0080: the C1 range is mapped to Windows-1252 here, so both agree.
 */
export function textDecoder(encoding: TextEncoding): { decode(bytes?: Uint8Array, options?: { stream?: boolean }): string } {
	const inner = new TextDecoder(encoding);
	if (encoding !== 'windows-1252') return inner;
	return {
		decode: (bytes, options) => inner.decode(bytes, options).replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!)
	};
}
