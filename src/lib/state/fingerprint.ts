/**
 * A file's fingerprint for view links: SHA-256 over its size, its first and its last megabyte.
 * Enough to tell "the same export" from another one without reading (or hashing) a 1 GB file,
 * and it says nothing about what is in the file: a link carries only the size and 16 hex digits.
 */

const MB = 1024 * 1024;

/** 64 bits of SHA-256(size ‖ first MB ‖ last MB), as 16 hex digits. */
export async function fileFingerprint(file: Blob): Promise<string> {
	const size = new Uint8Array(8);
	new DataView(size.buffer).setBigUint64(0, BigInt(file.size));
	const head = new Uint8Array(await file.slice(0, MB).arrayBuffer());
	const tail = file.size > MB ? new Uint8Array(await file.slice(Math.max(MB, file.size - MB)).arrayBuffer()) : new Uint8Array(0);
	const all = new Uint8Array(size.length + head.length + tail.length);
	all.set(size, 0);
	all.set(head, size.length);
	all.set(tail, size.length + head.length);
	const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
	return [...digest.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
