// Applies the merchant's theme choice (RFM Studio's toggle, kept in localStorage) before the first
// paint, so a dark-mode choice never flashes white. Loaded as a same-origin blocking script: the
// Content Security Policy allows no inline script. Without a choice the CSS follows the system.
try {
	var theme = localStorage.getItem('rfm-theme');
	if (theme === 'light' || theme === 'dark') document.documentElement.setAttribute('data-theme', theme);
} catch {
	// Storage refused (private mode, blocked cookies): the system's theme applies.
}
