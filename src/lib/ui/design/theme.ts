/**
 * Light or dark: the system's (`prefers-color-scheme`) until the merchant picks one with the
 * toggle; the choice is kept in localStorage and applied before the first paint by static/theme.js
 * (the same key and attribute as here).
 */
export type Theme = 'light' | 'dark';

export const THEME_KEY = 'rfm-theme';

/** The merchant's stored choice, or null to follow the system. */
export function storedTheme(): Theme | null {
	try {
		const value = localStorage.getItem(THEME_KEY);
		return value === 'light' || value === 'dark' ? value : null;
	} catch {
		return null;
	}
}

/** The theme on screen: the stored choice, else the system's. */
export function currentTheme(): Theme {
	const attribute = document.documentElement.getAttribute('data-theme');
	if (attribute === 'light' || attribute === 'dark') return attribute;
	return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** Shows `theme` and remembers it (a choice equal to the system's is still remembered: it was chosen). */
export function chooseTheme(theme: Theme): void {
	document.documentElement.setAttribute('data-theme', theme);
	try {
		localStorage.setItem(THEME_KEY, theme);
	} catch {
		// Not remembered (storage refused): it still applies to this page.
	}
}
