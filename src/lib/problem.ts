/**
 * Messages for the merchant carry the engine's own words only as "technical details": the page
 * shows the message, and the details inside a disclosure. Errors cross the worker boundary as a
 * name and a message (Comlink keeps no other fields), so the details travel inside the message
 * after a marker and the page splits them off again.
 */

/** Separates the merchant's message from the technical details inside an error message. */
export const DETAILS_MARKER = '\n\nTechnical details:\n';

/** The message with its technical details attached (no details: the message alone). */
export function withDetails(message: string, details?: string | null): string {
	return details ? `${message}${DETAILS_MARKER}${details}` : message;
}

/** Splits an error message back into the merchant's message and the technical details (or null). */
export function splitProblem(text: string): { message: string; details: string | null } {
	const at = text.indexOf(DETAILS_MARKER);
	return at < 0 ? { message: text, details: null } : { message: text.slice(0, at), details: text.slice(at + DETAILS_MARKER.length) };
}

/** An error's message as technical details: the first lines, without DuckDB's long hints. */
export function technicalDetails(e: unknown): string {
	const text = e instanceof Error ? e.message : String(e);
	return text.split('\n').slice(0, 6).join('\n').slice(0, 1000);
}

/**
 * What an error from the engine means for the merchant, when we know it: memory, a CSV line the
 * parser could not read, text that is not UTF-8, a file that changed. Null when it is not one of those.
 * @param e the error DuckDB raised
 * @param which "this file" or the file's name
 */
export function engineErrorMessage(e: unknown, which = 'this file'): string | null {
	const text = e instanceof Error ? e.message : String(e);
	const line = /CSV Error on Line: (\d+)/.exec(text)?.[1];
	const where = line ? ` (around line ${Number(line).toLocaleString('en')})` : '';
	if (/out of memory|failed to allocate/i.test(text))
		return `There was not enough memory in this browser tab to read ${which}. Close other tabs and drop it again; if it still fails, split the file into smaller parts (for example one per year) and drop them together.`;
	if (/not utf-8 encoded|invalid unicode/i.test(text))
		return `${cap(which)} has characters that are not UTF-8 text${where}. In your spreadsheet app choose "Save as" → "CSV UTF-8", and drop that file here.`;
	if (/Maximum line size/i.test(text))
		return `${cap(which)} has a line longer than 2 MB${where}: its line breaks may have been lost, or a cell holds a whole document. Export the orders again and drop the new file here.`;
	if (/unterminated quote|UNQUOTED VALUE/i.test(text))
		return `${cap(which)} has a quote (") that is never closed${where}, so the rest of the file reads as one value. Open it in a spreadsheet app, fix or remove that quote, save as CSV and drop it here.`;
	if (/state machine reached an invalid state|Error when sniffing|CSV Error|Expected Number of Columns/i.test(text))
		return `${cap(which)} could not be split into rows and columns${where}. Open it in your spreadsheet app, save it as "CSV UTF-8" (one separator between fields, one order per line) and drop that file here.`;
	if (/NotFoundError|NotReadableError|could not be read|File .* not found|IO Error/i.test(text))
		return `${cap(which)} could no longer be read: it may have been moved, changed or deleted since it was dropped. Drop it again.`;
	return null;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
