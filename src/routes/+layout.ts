// A static site: every page is prerendered as an empty shell and the app runs in the browser,
// where the merchant's data is.
export const prerender = true;
export const ssr = false;
