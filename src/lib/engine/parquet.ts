/**
 * Parquet in the browser, offline: DuckDB-WASM's core has no Parquet reader and its extension would
 * be downloaded (design.md), so parquet-wasm reads the file into Arrow IPC. Its wasm is served from
 * our own origin (a Vite asset URL) and fetched only when the first Parquet file is dropped.
 */
import parquetWasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';

type ParquetWasm = typeof import('parquet-wasm/esm');

let loaded: Promise<ParquetWasm> | null = null;

function load(): Promise<ParquetWasm> {
	loaded ??= (async () => {
		const module = await import('parquet-wasm/esm');
		await module.default({ module_or_path: new URL(parquetWasmUrl, self.location.href) });
		return module;
	})();
	// A failed start (e.g. the asset could not be fetched) may succeed on the next file.
	loaded.catch(() => (loaded = null));
	return loaded;
}

/** The whole Parquet file as an Arrow IPC stream. */
export async function parquetToIpc(bytes: Uint8Array): Promise<Uint8Array> {
	const parquet = await load();
	const table = parquet.readParquet(bytes);
	return table.intoIPCStream();
}
