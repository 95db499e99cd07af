/**
 * Which kind of order file a dropped file is, from its name and first bytes: the delimited text the
 * pipeline reads as it is, or a format we first turn into UTF-8 CSV (legacy encodings, gzip,
 * Excel, Parquet, JSON). Everything else gets `classifyFile`'s message (image, PDF, binary…).
 */
import { classifyFile } from '../file-kind';

export type FileFormat = 'csv' | 'csv-gzip' | 'xlsx' | 'parquet' | 'json' | 'ndjson';
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
	if (size > 0 && startsWith(head, [0x50, 0x4b, 0x03, 0x04])) {
		if (lower.endsWith('.zip'))
			return { ok: false, message: 'This is a ZIP archive. Unpack it first and drop the .csv or .xlsx file inside.' };
		return { ok: true, format: 'xlsx', encoding: null };
	}
	if (size > 0 && startsWith(head, [0x1f, 0x8b])) return { ok: true, format: 'csv-gzip', encoding: null };
	if (size > 0 && startsWith(head, [0x50, 0x41, 0x52, 0x31])) return { ok: true, format: 'parquet', encoding: null };
	if (size > 0 && startsWith(head, [0xff, 0xfe]))
		return { ok: true, format: textFormat(lower, decodeHead(head, 'utf-16le')), encoding: 'utf-16le' };
	if (size > 0 && startsWith(head, [0xfe, 0xff]))
		return { ok: true, format: textFormat(lower, decodeHead(head, 'utf-16be')), encoding: 'utf-16be' };
	// UTF-8 text, or text in a legacy single-byte encoding: classifyFile refuses the latter, we read it.
	const kind = classifyFile(size, wholeCharacters(head));
	if (kind.readable) return { ok: true, format: textFormat(lower, decodeHead(head, 'utf-8')), encoding: 'utf-8' };
	if (detectEncoding(head) === 'utf-8') return { ok: false, message: kind.message };
	// Not UTF-8: legacy text when it reads as text once decoded; otherwise what classifyFile says (an image, binary…).
	const text = decodeHead(head, 'windows-1252');
	if (!classifyFile(size, wholeCharacters(new TextEncoder().encode(text))).readable) return { ok: false, message: kind.message };
	if (looksBinary(text)) return { ok: false, message: BINARY };
	return { ok: true, format: textFormat(lower, text), encoding: 'windows-1252' };
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
