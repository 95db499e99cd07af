/** The demo store as a File, generated in a worker: what the page opens like a dropped export. */
import type { DemoStore } from './generator';

/**
 * Generates the store for a seed in a worker and wraps it in a File. Marks `rfm:demo-generate`
 * (request to File ready) for the benchmark.
 */
export async function demoFile(seed: number, customers: number): Promise<File> {
	performance.mark('rfm:demo-start');
	const worker = new Worker(new URL('./demo.worker.ts', import.meta.url), { type: 'module' });
	try {
		const store = await new Promise<DemoStore>((resolve, reject) => {
			worker.onmessage = (e: MessageEvent<{ ok: true; store: DemoStore } | { ok: false; message: string }>) =>
				e.data.ok ? resolve(e.data.store) : reject(new Error(e.data.message));
			worker.onerror = (e) => reject(new Error(e.message || 'The demo generator stopped.'));
			worker.postMessage({ seed, customers });
		});
		const file = new File(store.parts as Uint8Array<ArrayBuffer>[], store.fileName, { type: 'text/csv' });
		performance.measure('rfm:demo-generate', 'rfm:demo-start');
		return file;
	} finally {
		worker.terminate();
	}
}
