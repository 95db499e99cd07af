/** The page's way into the engine over a hand-made fake engine, for the rune classes' unit tests. */
import type { Remote } from 'comlink';
import type { EngineApi, EngineInfo } from '../../src/lib/engine/api';
import { EngineCalls, type EngineHandle } from '../../src/lib/state/engine-calls.svelte';

/** An engine handle over the fake API's methods (calls to others fail as the missing function they are). */
export function fakeHandle(api: Partial<EngineApi>): EngineHandle {
	return {
		api: api as unknown as Remote<EngineApi>,
		ready: Promise.resolve({ duckdbVersion: 'v1.4.3', bundle: 'eh', startMs: 1, memoryLimit: 2 ** 30 } satisfies EngineInfo),
		proxy: <T>(f: T) => f
	};
}

/** `EngineCalls` over the fake API. */
export function callsOver(api: Partial<EngineApi>): EngineCalls {
	return new EngineCalls(fakeHandle(api));
}
