/**
 * Short confirmations ("Link copied") shown for a few seconds in one live region. bits-ui has no
 * toast, so this is ours: a list of messages and Toaster.svelte, which announces them politely.
 */
export type ToastMessage = { id: number; text: string; tone: 'info' | 'problem' };

let next = 1;
const messages = $state<ToastMessage[]>([]);

/** The messages on screen, oldest first. */
export function toasts(): readonly ToastMessage[] {
	return messages;
}

/** Shows `text` for `ms` milliseconds (a problem stays twice as long). */
export function toast(text: string, tone: ToastMessage['tone'] = 'info', ms = 4000): void {
	const id = next++;
	messages.push({ id, text, tone });
	setTimeout(() => dismiss(id), tone === 'problem' ? ms * 2 : ms);
}

/** Removes one message (its close button, or its time ran out). */
export function dismiss(id: number): void {
	const index = messages.findIndex((m) => m.id === id);
	if (index >= 0) messages.splice(index, 1);
}
