/**
 * Generates the demo store off the main thread (a few seconds for 200,000 customers), so the page
 * keeps drawing its progress. The bytes are transferred back, not copied.
 */
import { generateDemoStore } from './generator';

export interface DemoRequest {
	seed: number;
	customers: number;
}

self.onmessage = (event: MessageEvent<DemoRequest>) => {
	const { seed, customers } = event.data;
	try {
		const store = generateDemoStore(seed, customers);
		(self as unknown as Worker).postMessage(
			{ ok: true, store },
			store.parts.map((p) => p.buffer as ArrayBuffer)
		);
	} catch (e) {
		(self as unknown as Worker).postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) });
	}
};
