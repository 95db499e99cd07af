/** Saves bytes made in the browser as a file, through an object URL (no network). */
export function saveFile(bytes: Uint8Array, fileName: string, type = 'text/csv;charset=utf-8'): void {
	const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
	const a = document.createElement('a');
	a.href = url;
	a.download = fileName;
	a.click();
	// Let the click start the download before the URL goes away.
	setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `orders-2024.csv` → `orders-2024-customers.csv`. */
export function derivedName(source: string, suffix: string): string {
	const stem = source.replace(/\.[^.]+$/, '') || 'orders';
	return `${stem}-${suffix}.csv`;
}
