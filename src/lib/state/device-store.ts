/**
 * "Remember this data on this device": the original file kept in the browser's private file system
 * (OPFS), so a reload analyses it again without asking for it. Nothing is stored unless the merchant
 * ticks the box; "Forget" removes the whole folder. A demo store is remembered by its seed only.
 */

const FOLDER = 'rfm-studio-remembered';
const DATA = 'data';
const META = 'meta.json';

export type RememberedMeta =
	| { kind: 'file'; name: string; size: number; type: string; fingerprint: string; savedAt: string }
	| { kind: 'demo'; seed: number; customers: number; savedAt: string };

/** Whether this browser has OPFS (all current ones do; private windows may refuse it). */
export function canRemember(): boolean {
	return typeof navigator !== 'undefined' && typeof navigator.storage?.getDirectory === 'function';
}

async function folder(create: boolean): Promise<FileSystemDirectoryHandle | null> {
	const root = await navigator.storage.getDirectory();
	try {
		return await root.getDirectoryHandle(FOLDER, { create });
	} catch {
		return null;
	}
}

async function writeFile(dir: FileSystemDirectoryHandle, name: string, data: Blob | string): Promise<void> {
	const handle = await dir.getFileHandle(name, { create: true });
	const writable = await handle.createWritable();
	await writable.write(data);
	await writable.close();
}

/** Keeps a file (or a demo's seed), replacing whatever was remembered. */
export async function rememberData(
	data: { file: File; fingerprint: string } | { demo: { seed: number; customers: number } }
): Promise<void> {
	await forgetData();
	const dir = await folder(true);
	if (!dir) throw new Error('This browser does not let the page store files.');
	const savedAt = new Date().toISOString();
	let meta: RememberedMeta;
	if ('file' in data) {
		await writeFile(dir, DATA, data.file);
		meta = { kind: 'file', name: data.file.name, size: data.file.size, type: data.file.type, fingerprint: data.fingerprint, savedAt };
	} else meta = { kind: 'demo', ...data.demo, savedAt };
	// Written last: a folder without meta.json is an interrupted save and is ignored.
	await writeFile(dir, META, JSON.stringify(meta));
}

/** What is remembered, or null. */
export async function rememberedMeta(): Promise<RememberedMeta | null> {
	if (!canRemember()) return null;
	const dir = await folder(false);
	if (!dir) return null;
	try {
		return JSON.parse(await (await (await dir.getFileHandle(META)).getFile()).text()) as RememberedMeta;
	} catch {
		return null;
	}
}

/** The remembered file, with its original name. */
export async function rememberedFile(meta: Extract<RememberedMeta, { kind: 'file' }>): Promise<File | null> {
	const dir = await folder(false);
	if (!dir) return null;
	try {
		const stored = await (await dir.getFileHandle(DATA)).getFile();
		return new File([stored], meta.name, { type: meta.type });
	} catch {
		return null;
	}
}

/** Removes everything remembered. */
export async function forgetData(): Promise<void> {
	if (!canRemember()) return;
	const root = await navigator.storage.getDirectory();
	try {
		await root.removeEntry(FOLDER, { recursive: true });
	} catch {
		// Nothing was remembered.
	}
}
