/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/**
 * Makes the app work offline after the first visit: on install it stores the whole build (the app,
 * its workers and DuckDB's wasm) and the static files; afterwards every request for them is
 * answered from that store, and a page load falls back to the stored page when the network is gone.
 *
 * It never touches other origins: a `?src` file is fetched by the page straight from its host.
 * Paths come from $service-worker and include the base path (e.g. /rfm-studio/_app/…).
 */
import { base, build, files, prerendered, version } from '$service-worker';

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `rfm-studio-${version}`;
const ASSETS = [...build, ...files, ...prerendered];
/** The page itself: `base` + '/' (prerendered lists it as base + '/' or base + '/index.html'). */
const HOME = `${base}/`;

/**
 * Files the workers load that $service-worker's `build` does not list: Vite emits a worker's own
 * `?url` assets (DuckDB's wasm and its worker) in a separate bundle, and the worker refers to them as
 * `new URL(`assets/…`, import.meta.url)`. Read from the worker scripts, so the list follows the build.
 */
async function workerAssets(cache: Cache): Promise<string[]> {
	// DuckDB ships two builds; the page uses `eh` where wasm exceptions work (every current browser)
	// and `mvp` elsewhere. Storing only the one this browser uses saves 35 MB.
	const skip = wasmExceptions() ? /duckdb-(browser-)?mvp/ : /duckdb-(browser-)?eh/;
	const found: string[] = [];
	for (const path of ASSETS.filter((p) => /\/workers\/[^/]+\.js$/.test(p))) {
		const response = await cache.match(path);
		if (!response) continue;
		const text = await response.text();
		const scriptUrl = new URL(path, sw.location.href);
		for (const m of text.matchAll(/["'`](assets\/[\w.-]+\.(?:wasm|js))["'`]/g)) {
			if (!skip.test(m[1]!)) found.push(new URL(m[1]!, scriptUrl).pathname);
		}
	}
	return [...new Set(found)];
}

/** The check DuckDB-WASM's selectBundle makes (wasm-feature-detect's `exceptions`): a module with a try block. */
function wasmExceptions(): boolean {
	try {
		return WebAssembly.validate(
			new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 8, 1, 6, 0, 6, 64, 25, 11, 11])
		);
	} catch {
		return false;
	}
}

sw.addEventListener('install', (event) => {
	event.waitUntil(
		(async () => {
			const cache = await caches.open(CACHE);
			await cache.addAll([...new Set([...ASSETS, HOME])]);
			await cache.addAll(await workerAssets(cache));
			await sw.skipWaiting();
		})()
	);
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
			await sw.clients.claim();
		})()
	);
});

sw.addEventListener('fetch', (event) => {
	const request = event.request;
	if (request.method !== 'GET') return;
	const url = new URL(request.url);
	if (url.origin !== sw.location.origin) return;
	event.respondWith(
		(async () => {
			const cache = await caches.open(CACHE);
			// Build files have hashed names and never change: the stored copy is the right one.
			if (ASSETS.includes(url.pathname) || url.pathname.startsWith(`${base}/_app/immutable/`)) {
				const hit = await cache.match(url.pathname);
				if (hit) return hit;
				// Not stored at install (the other DuckDB build): stored on first use.
				const response = await fetch(request);
				if (response.ok) await cache.put(url.pathname, response.clone());
				return response;
			}
			try {
				return await fetch(request);
			} catch (e) {
				// Offline: a page load gets the stored app page (links differ only in ?src and #hash).
				if (request.mode === 'navigate') {
					const page = await cache.match(HOME);
					if (page) return page;
				}
				throw e;
			}
		})()
	);
});
