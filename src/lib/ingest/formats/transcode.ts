/**
 * Reading a text file in a legacy encoding as UTF-8 (DuckDB reads UTF-8 only; its `latin-1` option
 * refuses Windows-1252 bytes such as € = 0x80). The file is decoded in slices, so progress can be
 * reported and the work cancelled between slices.
 */
import { concatBytes } from './csv-writer';
import { textDecoder, type TextEncoding } from './recognise';

/** How far a conversion has come, in bytes of the source file. */
export type ByteProgress = (done: number, total: number) => void;

/** Stops a long conversion between slices; throws (e.g. a CancelledError) when the step was cancelled. */
export type CheckCancelled = () => void;

const SLICE = 4 << 20;

/** Reads a Blob slice by slice (4 MiB), reporting progress and checking for cancellation. */
export async function* slices(blob: Blob, onProgress?: ByteProgress, checkCancelled?: CheckCancelled): AsyncGenerator<Uint8Array> {
	for (let at = 0; at < blob.size; at += SLICE) {
		checkCancelled?.();
		const bytes = new Uint8Array(await blob.slice(at, Math.min(blob.size, at + SLICE)).arrayBuffer());
		onProgress?.(Math.min(blob.size, at + SLICE), blob.size);
		yield bytes;
	}
}

/**
 * The whole text of `blob` decoded from `encoding`, as UTF-8 bytes (a leading byte-order mark
 * dropped). With `unixLines`, every CRLF or lone CR becomes LF (a CR at the end of a slice waits
 * for the next one, so a CRLF split between slices stays one line break).
 */
export async function transcodeToUtf8(
	blob: Blob,
	encoding: TextEncoding,
	onProgress?: ByteProgress,
	checkCancelled?: CheckCancelled,
	unixLines = false
): Promise<Uint8Array> {
	const decoder = textDecoder(encoding);
	const encoder = new TextEncoder();
	const chunks: Uint8Array[] = [];
	let carry = '';
	const take = (text: string, last: boolean) => {
		if (!unixLines) return text;
		let all = carry + text;
		carry = '';
		if (!last && all.endsWith('\r')) [all, carry] = [all.slice(0, -1), '\r'];
		return all.replace(/\r\n?/g, '\n');
	};
	for await (const bytes of slices(blob, onProgress, checkCancelled))
		chunks.push(encoder.encode(take(decoder.decode(bytes, { stream: true }), false)));
	chunks.push(encoder.encode(take(decoder.decode(), true)));
	return concatBytes(chunks);
}

/** Unpacks a gzip Blob to the end without keeping it, to find a file cut short (throws, as `gunzip` does). */
export async function gunzipCheck(blob: Blob, checkCancelled?: CheckCancelled): Promise<void> {
	const reader = blob.stream().pipeThrough(new DecompressionStream('gzip')).getReader();
	for (;;) {
		checkCancelled?.();
		const { done } = await reader.read();
		if (done) return;
	}
}

/** The whole text of `blob` as a string (for JSON), decoded from `encoding`. */
export async function readText(
	blob: Blob,
	encoding: TextEncoding,
	onProgress?: ByteProgress,
	checkCancelled?: CheckCancelled
): Promise<string> {
	const decoder = textDecoder(encoding);
	const parts: string[] = [];
	for await (const bytes of slices(blob, onProgress, checkCancelled)) parts.push(decoder.decode(bytes, { stream: true }));
	parts.push(decoder.decode());
	return parts.join('').replace(/^\uFEFF/, '');
}

/** Unpacks a gzip Blob completely (DecompressionStream: built into browsers and Node). */
export async function gunzip(blob: Blob, checkCancelled?: CheckCancelled): Promise<Uint8Array> {
	const reader = blob.stream().pipeThrough(new DecompressionStream('gzip')).getReader();
	const chunks: Uint8Array[] = [];
	for (;;) {
		checkCancelled?.();
		const { done, value } = await reader.read();
		if (done) break;
		chunks.push(value);
	}
	return concatBytes(chunks);
}

/** The first `limit` unpacked bytes of a gzip Blob (fewer when it is shorter). */
export async function gunzipHead(blob: Blob, limit: number): Promise<Uint8Array> {
	const reader = blob.stream().pipeThrough(new DecompressionStream('gzip')).getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	while (size < limit) {
		const { done, value } = await reader.read();
		if (done) break;
		chunks.push(value);
		size += value.length;
	}
	await reader.cancel().catch(() => undefined);
	return concatBytes(chunks).subarray(0, limit);
}
