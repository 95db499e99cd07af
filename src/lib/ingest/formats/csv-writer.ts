/**
 * Writing rows of cells as UTF-8 CSV bytes, the form every converted format takes before the
 * pipeline reads it (so a workbook, a Parquet or a JSON file gets the same sniffing, preview and
 * mapping as a CSV export).
 */

/** A cell as converters hand it over. */
export type Cell = string | number | boolean | Date | null | undefined;

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A cell as text: dates as ISO (`2024-03-01`, or `2024-03-01 14:05:00` when there is a time of
 * day; calendar fields read in UTC, which is how spreadsheet readers build dates from Excel serial
 * numbers), numbers in JavaScript's shortest exact form, booleans as true/false.
 */
export function cellText(value: Cell): string {
	if (value === null || value === undefined) return '';
	if (value instanceof Date) {
		if (Number.isNaN(value.getTime())) return '';
		// Serial numbers carry times as fractions of a day: 14:22 can come out as 14:21:59.9999.
		value = new Date(Math.round(value.getTime() / 1000) * 1000);
		const day = `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
		const [h, m, s] = [value.getUTCHours(), value.getUTCMinutes(), value.getUTCSeconds()];
		return h === 0 && m === 0 && s === 0 ? day : `${day} ${pad(h)}:${pad(m)}:${pad(s)}`;
	}
	return String(value);
}

/** A CSV field: quoted when it holds a delimiter, a quote, a line break or edge spaces. */
export function csvField(text: string): string {
	return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Collects CSV lines as UTF-8 bytes in chunks, then joins them once. */
export class CsvBuilder {
	#chunks: Uint8Array[] = [];
	#pending: string[] = [];
	#pendingLength = 0;
	#size = 0;
	readonly #encoder = new TextEncoder();

	/** Appends one row; short rows are fine (the reader pads them). */
	row(cells: readonly Cell[]): void {
		const line = cells.map((c) => csvField(cellText(c))).join(',') + '\n';
		this.#pending.push(line);
		this.#pendingLength += line.length;
		if (this.#pendingLength > 1 << 20) this.#flush();
	}

	#flush(): void {
		if (this.#pending.length === 0) return;
		const bytes = this.#encoder.encode(this.#pending.join(''));
		this.#chunks.push(bytes);
		this.#size += bytes.length;
		this.#pending = [];
		this.#pendingLength = 0;
	}

	/** The whole CSV as one buffer. */
	bytes(): Uint8Array {
		this.#flush();
		return concatBytes(this.#chunks, this.#size);
	}
}

/** Joins byte chunks into one buffer. */
export function concatBytes(chunks: readonly Uint8Array[], size = chunks.reduce((n, c) => n + c.length, 0)): Uint8Array {
	const out = new Uint8Array(size);
	let at = 0;
	for (const c of chunks) {
		out.set(c, at);
		at += c.length;
	}
	return out;
}
