/**
 * Saving a chart as a file: the SVG with its computed styles written inline (page CSS does not
 * travel with the file), and a PNG drawn from that SVG on a canvas. Nothing leaves the browser.
 */
import { saveFile } from '../download';

/** Style properties that decide how an SVG chart looks. */
const PROPERTIES = [
	'fill',
	'fill-opacity',
	'stroke',
	'stroke-width',
	'stroke-dasharray',
	'stroke-linecap',
	'opacity',
	'font-family',
	'font-size',
	'font-weight',
	'text-anchor',
	'dominant-baseline',
	'visibility'
];

/**
 * A standalone SVG document of the chart: each element carries its computed style, the size is
 * explicit and the background white (a transparent PNG is unreadable in dark viewers).
 */
export function serializeSvg(svg: SVGSVGElement): { text: string; width: number; height: number } {
	const clone = svg.cloneNode(true) as SVGSVGElement;
	const originals = [svg, ...svg.querySelectorAll('*')];
	const copies = [clone, ...clone.querySelectorAll('*')];
	// The file has a white background whatever the page's theme: its colours are the light theme's
	// (the tokens switch with the attribute; the page is restored before it paints again).
	const root = document.documentElement;
	const theme = root.getAttribute('data-theme');
	root.setAttribute('data-theme', 'light');
	try {
		originals.forEach((el, i) => {
			const style = getComputedStyle(el);
			const inline = PROPERTIES.map((p) => `${p}:${style.getPropertyValue(p)}`).join(';');
			copies[i]!.setAttribute('style', inline);
			copies[i]!.removeAttribute('class');
		});
	} finally {
		if (theme === null) root.removeAttribute('data-theme');
		else root.setAttribute('data-theme', theme);
	}
	const box = svg.getBoundingClientRect();
	const width = Math.ceil(Number(svg.getAttribute('width')) || box.width);
	const height = Math.ceil(Number(svg.getAttribute('height')) || box.height);
	clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
	clone.setAttribute('width', String(width));
	clone.setAttribute('height', String(height));
	if (!clone.getAttribute('viewBox')) clone.setAttribute('viewBox', `0 0 ${width} ${height}`);
	const background = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
	background.setAttribute('width', '100%');
	background.setAttribute('height', '100%');
	background.setAttribute('fill', 'white');
	clone.insertBefore(background, clone.firstChild);
	return { text: `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}`, width, height };
}

/** Draws the serialized SVG on a canvas at `scale` and returns PNG bytes. */
export async function svgToPng(svg: SVGSVGElement, scale = 2): Promise<Uint8Array> {
	const { text, width, height } = serializeSvg(svg);
	const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
	try {
		const image = new Image();
		image.src = url;
		await image.decode();
		const canvas = document.createElement('canvas');
		canvas.width = Math.round(width * scale);
		canvas.height = Math.round(height * scale);
		const context = canvas.getContext('2d');
		if (!context) throw new Error('This browser cannot draw on a canvas.');
		context.scale(scale, scale);
		context.drawImage(image, 0, 0, width, height);
		const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
		if (!blob) throw new Error('This browser could not make a PNG.');
		return new Uint8Array(await blob.arrayBuffer());
	} finally {
		URL.revokeObjectURL(url);
	}
}

/** `Revenue concentration` → `revenue-concentration`. */
export const chartSlug = (title: string) =>
	title
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-|-$/g, '') || 'chart';

/** Saves the chart as `<slug>.svg`. */
export function saveSvg(svg: SVGSVGElement, title: string): void {
	saveFile(new TextEncoder().encode(serializeSvg(svg).text), `${chartSlug(title)}.svg`, 'image/svg+xml');
}

/** Saves the chart as `<slug>.png` (twice the screen size, for sharp slides). */
export async function savePng(svg: SVGSVGElement, title: string): Promise<void> {
	saveFile(await svgToPng(svg), `${chartSlug(title)}.png`, 'image/png');
}
