/**
 * The page's handle on the engine worker: created once, on first use, shared by every caller.
 */
import * as Comlink from 'comlink';
import type { EngineApi, EngineInfo } from './api';
import EngineWorker from './engine.worker.ts?worker';

let engine: { api: Comlink.Remote<EngineApi>; ready: Promise<EngineInfo> } | null = null;

/** The engine, starting its worker (and DuckDB) on the first call. Browser only. */
export function getEngine(): { api: Comlink.Remote<EngineApi>; ready: Promise<EngineInfo> } {
	if (!engine) {
		const api = Comlink.wrap<EngineApi>(new EngineWorker({ name: 'rfm-engine' }));
		// `?engineMemory=64MB` caps DuckDB's memory (see EngineOptions).
		const memoryLimit = new URLSearchParams(location.search).get('engineMemory') ?? undefined;
		engine = { api, ready: api.start(memoryLimit ? { memoryLimit } : {}) };
	}
	return engine;
}

/** Wraps a progress callback so it can cross to the worker. */
export const proxy = Comlink.proxy;
