/**
 * Browser commands for the vitest browser tests (they run in Node, with Playwright's page).
 */
import type { BrowserCommand } from 'vitest/node';

/** A worker and the URLs its own resource timing lists. */
export interface WorkerResources {
	url: string;
	resources: string[];
}

/**
 * Every dedicated worker of the test page, nested ones included (DuckDB's worker, started by the
 * engine worker), with the URLs in its own resource timing. The page's `performance` lists only the
 * page's fetches: DuckDB's wasm is fetched inside its worker, so an origin check that reads the page
 * alone never sees it. The expression is a string: a function would be rewritten by the bundler
 * (name helpers the worker does not have).
 */
export const workerResources: BrowserCommand<[]> = async ({ page }): Promise<WorkerResources[]> => {
	const out: WorkerResources[] = [];
	for (const worker of page.workers()) {
		const resources = (await worker.evaluate(`performance.getEntriesByType('resource').map((e) => e.name)`)) as string[];
		out.push({ url: worker.url(), resources });
	}
	return out;
};

declare module 'vitest/browser' {
	interface BrowserCommands {
		workerResources: () => Promise<WorkerResources[]>;
	}
}
