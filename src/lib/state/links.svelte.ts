/**
 * Links in and out of the page: opening the data a link names (`#demo=…`, `?src=…`, `#file=…`
 * with a check that the merchant picked the same file, `#summary=…`), keeping the view in the URL
 * hash as the merchant works (reload and back/forward), and the links they can copy.
 * One instance per page, next to the Session.
 */
import { createContext, untrack } from 'svelte';
import { pushState, replaceState } from '$app/navigation';
import type { Session } from './session.svelte';
import {
	formatHash,
	parseHash,
	readRegisteredKeys,
	readViewState,
	registeredViewKeys,
	sourceParam,
	withHash,
	writeViewState,
	type ViewSource,
	type ViewState
} from './url-state';
import { fileFingerprint } from './fingerprint';
import { rulesInForce, sameRuleSet, settingsFromView } from './settings';
import type { RuleSet } from '../rfm/types';
import { fetchRemoteFile } from './remote-file';
import { demoCustomers, DEFAULT_DEMO_CUSTOMERS } from '../demo/generator';
import { demoFile } from '../demo/demo-file';
import { buildSummary, decodeSummary, encodeSummary, summaryCurrency, type SharedSummary } from '../share/summary';
import { canRemember, forgetData, rememberData, rememberedFile, rememberedMeta, type RememberedMeta } from './device-store';
import { formatBytes } from '../format';
import type { Tab } from './session.svelte';

/** What the loaded data is, as a link can name it. */
type LoadedSource =
	{ kind: 'none' } | { kind: 'demo'; seed: number; customers: number } | { kind: 'file'; size: number; fingerprint: string };

export class Links {
	/** The data on screen, as a link names it. */
	source = $state.raw<LoadedSource>({ kind: 'none' });
	/** A view that waits for the merchant to pick the file it was made from. */
	pendingView = $state.raw<(ViewState & { source: { kind: 'file' } }) | null>(null);
	/** News about a link, for the merchant (not an error: "this is not the file the link was made from"). */
	notice = $state<string | null>(null);
	/** A `?src` file being fetched (its address), for the progress line. */
	fetching = $state<string | null>(null);
	/** Generating a demo store (its size), for the progress line. */
	generating = $state<number | null>(null);
	/** A shared summary opened from a link: the page shows only it. */
	summary = $state.raw<SharedSummary | null>(null);
	/**
	 * Why the view link last made will not show the same numbers (rules edited on this page and not
	 * saved under their own name: a link names a rule set, it cannot carry its rules), or null.
	 */
	viewLinkWarning = $state<string | null>(null);
	/** The view link and summary link last made, shown for copying. */
	viewLink = $state<string | null>(null);
	summaryLink = $state<string | null>(null);
	/** "Remember this data on this device": what is remembered, and whether the box is ticked. */
	remembered = $state.raw<RememberedMeta | null>(null);
	remember = $state(false);
	readonly rememberSupported = canRemember();

	/** False while a link's view is being applied: the hash must not follow the half-applied state. */
	#settled = $state(false);
	/** The hash last written or applied, to tell our own changes from the reader's. */
	#lastHash = '';
	/** The File last opened (kept only in memory, to store it when the merchant asks). */
	#lastFile: File | null = null;
	/** Counts loads; an older load that finishes late is ignored. */
	#loads = 0;
	readonly session: Session;

	constructor(session: Session) {
		this.session = session;
	}

	/** Reads the page's address and opens what it names. Returns the teardown of the history listeners. */
	start(): () => void {
		const onHistory = () => void this.#followHash();
		addEventListener('popstate', onHistory);
		addEventListener('hashchange', onHistory);
		void this.#openFromAddress();
		return () => {
			removeEventListener('popstate', onHistory);
			removeEventListener('hashchange', onHistory);
		};
	}

	async #openFromAddress(): Promise<void> {
		const params = parseHash(location.hash);
		const view = readViewState(
			params,
			registeredViewKeys().map((k) => k.key)
		);
		this.#lastHash = location.hash;
		const src = sourceParam(location.search);
		if (view.source.kind === 'summary') return this.#openSummary(view.source.data);
		if (view.source.kind === 'demo') return this.openDemo(view.source.seed, view.source.customers ?? DEFAULT_DEMO_CUSTOMERS, view);
		if (src) return this.openRemote(src, view);
		this.remembered = await rememberedMeta();
		if (view.source.kind === 'file') {
			const r = this.remembered;
			// The remembered file is the link's file: no need to ask for it.
			if (r?.kind === 'file' && r.size === view.source.size && r.fingerprint === view.source.fingerprint) {
				this.remember = true;
				return this.#openRemembered(r, view);
			}
			this.pendingView = { ...view, source: view.source };
			return;
		}
		if (this.remembered) {
			this.remember = true;
			await this.#openRemembered(this.remembered, view);
		} else this.#settled = true;
	}

	async #openRemembered(meta: RememberedMeta, view: ViewState): Promise<void> {
		if (meta.kind === 'demo') return this.openDemo(meta.seed, meta.customers, view);
		const file = await rememberedFile(meta);
		if (file) await this.#load(file, { kind: 'file', size: file.size, fingerprint: await fileFingerprint(file) }, view);
		else this.#settled = true;
	}

	async #openSummary(data: string): Promise<void> {
		try {
			this.summary = await decodeSummary(data);
		} catch (e) {
			this.session.calls.tell((e as Error).message);
		}
	}

	/** Opens the demo store for a seed; `view` (from a link) is applied once it is analysed. */
	async openDemo(seed: number, customers: number, view: ViewState | null = null): Promise<void> {
		const n = demoCustomers(customers);
		const load = ++this.#loads;
		this.generating = n;
		this.session.calls.tell(null);
		let file: File;
		try {
			file = await demoFile(seed, n);
		} catch (e) {
			this.session.calls.tell(`The demo store could not be generated: ${(e as Error).message}`);
			return;
		} finally {
			if (load === this.#loads) this.generating = null;
		}
		if (load !== this.#loads) return;
		await this.#load(file, { kind: 'demo', seed, customers: n }, view);
		if (this.remember) await this.#remember();
	}

	/** Opens a `?src` file; `view` (from the same link's hash) is applied once it is analysed. */
	async openRemote(src: string, view: ViewState | null = null): Promise<void> {
		const load = ++this.#loads;
		this.fetching = src;
		let file: File;
		try {
			file = await fetchRemoteFile(src);
		} catch (e) {
			this.session.calls.tell((e as Error).message);
			this.#settled = true;
			return;
		} finally {
			if (load === this.#loads) this.fetching = null;
		}
		if (load !== this.#loads) return;
		await this.#load(file, { kind: 'file', size: file.size, fingerprint: await fileFingerprint(file) }, view);
	}

	/**
	 * A file the merchant dropped or picked. When a link's view waits for a file, it is applied only
	 * if this is the same file (size and fingerprint); otherwise the merchant is told.
	 */
	async openFile(file: File): Promise<void> {
		++this.#loads;
		const fingerprint = await fileFingerprint(file);
		const pending = this.pendingView;
		this.pendingView = null;
		let view: ViewState | null = null;
		if (pending) {
			if (pending.source.size === file.size && pending.source.fingerprint === fingerprint) {
				view = pending;
				this.notice = null;
			} else {
				this.notice = `${file.name} is not the file this link was made from (the link's file is ${formatBytes(pending.source.size)}, this one ${formatBytes(file.size)}${pending.source.size === file.size ? ' but its content differs' : ''}). It is shown with the default view.`;
			}
		}
		await this.#load(file, { kind: 'file', size: file.size, fingerprint }, view);
		if (this.remember) await this.#remember();
	}

	/**
	 * Files dropped together (parts of one export, or Olist's tables). A view link names one file by
	 * its fingerprint, so several files open without one: links then carry no source to ask for.
	 */
	async openFiles(files: File[]): Promise<void> {
		if (files.length === 1) return this.openFile(files[0]!);
		++this.#loads;
		this.pendingView = null;
		this.#settled = false;
		this.summary = null;
		this.source = { kind: 'none' };
		this.#lastFile = null;
		await this.session.openFiles(files);
		this.#settled = true;
	}

	/**
	 * Sets the settings a view names, before scoring, so the first analysis already uses them. Every
	 * setting the link carries is applied (levels included: the rule set is rescaled from its definition
	 * to the link's levels); what cannot be applied is told in `notice`. Returns true when anything changed.
	 */
	#applySettings(view: ViewState): boolean {
		const session = this.session;
		const before = session.currentSettings();
		const { settings, notices } = settingsFromView(view, session.ruleSetChoices, before.definition);
		const unapplied = view.unapplied ?? [];
		const told = [...notices];
		if (unapplied.length) told.push(`Part of this link could not be applied: ${unapplied.join('; ')}.`);
		this.notice = told.length ? told.join(' ') : null;
		if (JSON.stringify(before) === JSON.stringify(settings)) return false;
		session.setSettings(settings);
		return true;
	}

	/** Sets what the view shows once the data is scored: tab, selection, views' own keys. */
	#applyView(view: ViewState): void {
		const session = this.session;
		session.tab = (
			['overview', 'rules', 'customers', 'builder', 'history', 'repeat', 'predictions', 'charts'].includes(view.tab ?? '')
				? view.tab
				: 'overview'
		) as Tab;
		// The list reads its own rows once it is on screen: opening the selection asks the engine nothing.
		if (view.selection) session.openCustomers(view.selection, false);
		else session.selection = null;
		for (const key of registeredViewKeys()) key.apply(view.extra.get(key.key) ?? null);
	}

	async #load(file: File, source: LoadedSource, view: ViewState | null): Promise<void> {
		this.#settled = false;
		this.summary = null;
		if (view) this.#applySettings(view);
		this.source = source;
		this.#lastFile = file;
		await this.session.openFile(file);
		if (view && this.session.analysis) this.#applyView(view);
		this.#settled = true;
	}

	/** Back, forward, or an edited hash: the view follows the address. */
	async #followHash(): Promise<void> {
		if (location.hash === this.#lastHash) return;
		this.#lastHash = location.hash;
		const view = readViewState(
			parseHash(location.hash),
			registeredViewKeys().map((k) => k.key)
		);
		const s = view.source;
		if (s.kind === 'summary') return this.#openSummary(s.data);
		this.summary = null;
		const current = this.source;
		const sameData =
			(s.kind === 'demo' &&
				current.kind === 'demo' &&
				current.seed === s.seed &&
				current.customers === demoCustomers(s.customers ?? DEFAULT_DEMO_CUSTOMERS)) ||
			(s.kind === 'file' && current.kind === 'file' && current.fingerprint === s.fingerprint && current.size === s.size) ||
			(s.kind === 'none' && current.kind === 'none');
		if (!sameData) {
			if (s.kind === 'demo') return this.openDemo(s.seed, s.customers ?? DEFAULT_DEMO_CUSTOMERS, view);
			if (s.kind === 'file') this.pendingView = { ...view, source: s };
			return;
		}
		if (!this.session.analysis) return;
		this.#settled = false;
		if (this.#applySettings(view)) await this.session.rescore();
		this.#applyView(view);
		this.#settled = true;
	}

	/** The hash of the view on screen. Reads Svelte state: an effect calling it follows the view. */
	currentHash(): string {
		const session = this.session;
		const source: ViewSource =
			this.source.kind === 'demo'
				? {
						kind: 'demo',
						seed: this.source.seed,
						customers: this.source.customers === DEFAULT_DEMO_CUSTOMERS ? null : this.source.customers
					}
				: this.source;
		const extra = readRegisteredKeys();
		return formatHash(
			writeViewState({
				source,
				tab: session.tab,
				scoring: $state.snapshot(session.scoring),
				ruleSetId: session.ruleSet.id,
				selection: session.selection,
				extra
			})
		);
	}

	/**
	 * Keeps the address on the view: a new history entry per change (so back/forward walk the
	 * views), none while a link's view is still being applied. Call inside an $effect.
	 */
	syncAddress(): void {
		if (!this.#settled || !this.session.analysis || this.summary) return;
		const hash = this.currentHash();
		untrack(() => {
			if (hash === this.#lastHash) return;
			const url = withHash(location.href, hash);
			// The first view after a load replaces the link's address; later changes add entries.
			const first = this.#lastHash === '' || !location.hash;
			this.#lastHash = hash;
			if (first) replaceState(url, {});
			else pushState(url, {});
			this.viewLink = null;
			this.summaryLink = null;
		});
	}

	/** The link to this view (no customer data: the data's name, the settings and what is selected). */
	makeViewLink(): string {
		const url = withHash(location.href, this.currentHash());
		this.viewLink = url;
		// Read back as a fresh page would: the rules it would use must be the rules on screen.
		const session = this.session;
		const opened = settingsFromView(
			{ scoring: $state.snapshot(session.scoring), ruleSetId: session.ruleSet.id },
			session.ruleSetChoices
		).settings;
		this.viewLinkWarning = sameRuleSet(rulesInForce(opened), $state.snapshot(session.ruleSet) as RuleSet)
			? null
			: `The segment rules were edited on this page and not saved: the link names "${session.ruleSet.name}" as saved, so whoever opens it sees its saved rules, not your edits. Save the rules in the Segment rules tab (and share the rules file) to share them.`;
		return url;
	}

	/** A link to a read-only summary of the figures on screen. */
	async makeSummaryLink(): Promise<string | null> {
		const analysis = this.session.analysis;
		if (!analysis) return null;
		const summary = buildSummary({
			title: this.source.kind === 'demo' ? `Demo store (seed ${this.source.seed})` : 'Shared summary',
			currency: summaryCurrency(analysis.ingest, this.session.currency),
			headline: analysis.rfm.headline,
			scoring: $state.snapshot(this.session.scoring),
			ruleSet: this.session.ruleSet,
			matrix: analysis.rfm.matrix,
			segments: analysis.rfm.segments
		});
		const url = withHash(location.href, formatHash(parseHash(`summary=${await encodeSummary(summary)}`)), true);
		this.summaryLink = url;
		return url;
	}

	/**
	 * Makes the view or summary link and copies it: true when copied, false when the clipboard
	 * refused (the link is still shown in the Share card, to copy by hand), null when there is none.
	 */
	async copyLink(kind: 'view' | 'summary'): Promise<boolean | null> {
		const link = kind === 'view' ? this.makeViewLink() : await this.makeSummaryLink();
		if (!link) return null;
		try {
			await navigator.clipboard.writeText(link);
			return true;
		} catch {
			return false;
		}
	}

	/** Leaves a summary for the app's own start page. */
	closeSummary(): void {
		this.summary = null;
		this.#lastHash = '';
		pushState(withHash(location.href, ''), {});
	}

	/** Ticks or unticks "Remember this data on this device". */
	async setRemember(on: boolean): Promise<void> {
		this.remember = on;
		if (on) await this.#remember();
		else await this.forget();
	}

	async #remember(): Promise<void> {
		const source = this.source;
		try {
			if (source.kind === 'demo') await rememberData({ demo: { seed: source.seed, customers: source.customers } });
			else if (this.#lastFile && source.kind === 'file') await rememberData({ file: this.#lastFile, fingerprint: source.fingerprint });
			this.remembered = await rememberedMeta();
		} catch (e) {
			this.remember = false;
			this.session.calls.tell(`This browser did not let the page keep the data (${(e as Error).message}). Nothing is stored.`);
		}
	}

	/** Removes everything remembered on this device. */
	async forget(): Promise<void> {
		this.remember = false;
		await forgetData();
		this.remembered = null;
	}
}

/** The page's links, for the views under it; `getLinks` throws outside the page that sets them. */
export const [getLinks, setLinks] = createContext<Links>();
