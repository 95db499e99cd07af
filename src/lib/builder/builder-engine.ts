/**
 * What the engine worker does for the segment builder and its exports, on any runner that can
 * bind values (the worker's DuckDB-WASM connection, or DuckDB-WASM's Node build in tests).
 */
import { copyToCsvSql } from '../rfm/analysis';
import type { SqlRunner } from '../db/runner';
import { needsBehaviour, selectionConditionSql, type CustomerSelection } from '../rfm/customer-list';
import { str } from '../sql';
import type { PredictionColumns } from '../predict/predictions-sql';
import { emailListCsv, googleAudienceCsv, metaAudienceCsv, prepareAudience, type AudienceCounts, type ContactRow } from './audience';
import {
	availableFieldsSql,
	builderCustomersSql,
	CATEGORY_SUGGESTIONS_SQL,
	CREATE_SELECTION_SQL,
	fieldValuesSql,
	PREDICTION_FIELDS_SQL,
	replacePredictionsSql,
	segmentCountSql,
	selectSegmentSql,
	TABLE_COLUMNS_SQL,
	type BoundSql
} from './compile';
import { FIELDS, PREDICTION_FIELDS, type FieldId, type SegmentDefinition } from './definition';
import { BUILDER_CUSTOMERS, BUILDER_SELECTION, CUSTOMER_BEHAVIOUR, CUSTOMER_SCORES } from '../db/tables';

/** A SqlRunner that can also run a prepared statement with bound values. */
export interface BoundRunner extends SqlRunner {
	bound<T>(statement: BoundSql): Promise<T[]>;
}

/** The fields the builder offers for this file, with known values of text fields (most customers first). */
export interface BuilderFields {
	available: FieldId[];
	values: Partial<Record<FieldId, { value: string; customers: number }[]>>;
	/** Whether the customers have email addresses or phones (the audience exports need one of them). */
	contacts: { email: boolean; phone: boolean };
	/** Ready-made product segments, when the file has categories. */
	categories: CategorySuggestion[];
	/** Labels that depend on this data (the horizons of the predictions), in place of the fields' own. */
	labels: Partial<Record<FieldId, string>>;
}

export interface CategorySuggestion {
	category: string;
	buyers: number;
	/** The category most often bought by the same customers, and by how many of them. */
	often_with: string | null;
	together: number;
	/** Orders in the category that make a customer a product expert (90th percentile of its buyers, at least 2). */
	expert_orders: number;
}

export interface SegmentCounts {
	customers: number;
	orders: number;
	revenue: number;
	/** Revenue per order (0 with no orders). */
	aov: number;
}

/** The prediction fields' labels with their horizons ("Expected orders in the next 90 days"). */
export function predictionLabels(predictions: PredictionColumns | null): BuilderFields['labels'] {
	if (!predictions) return {};
	return {
		p_order_next: `Chance of an order in the next ${predictions.horizons[0]} days (%)`,
		expected_orders: `Expected orders in the next ${predictions.horizons[0]} days`,
		predicted_value: `Predicted value over ${predictions.valueHorizon} days`
	};
}

/**
 * Builds `builder_customers` for the scoring just done (with the predictions `customer_predictions`
 * holds, when `predictions` says it holds some, and the segment as of `previousAsOf` from
 * `previous_scores` when given), and says which fields have values.
 */
export async function prepareBuilder(
	db: BoundRunner,
	analysisDate: string,
	predictions: PredictionColumns | null = null,
	previousAsOf: string | null = null
): Promise<BuilderFields> {
	const columns = new Set((await db.rows<{ name: string }>(TABLE_COLUMNS_SQL)).map((r) => r.name));
	await db.run(builderCustomersSql(analysisDate, columns, predictions, previousAsOf));
	const [flags] = await db.rows<Record<string, boolean>>(availableFieldsSql(columns));
	const available = FIELDS.filter((f) => f.always || flags?.[f.id] === true).map((f) => f.id);
	const values: BuilderFields['values'] = {};
	for (const id of available) {
		const sql = fieldValuesSql(id);
		if (sql) values[id] = await db.rows<{ value: string; customers: number }>(sql);
	}
	const categories = available.includes('category') ? await db.rows<CategorySuggestion>(CATEGORY_SUGGESTIONS_SQL) : [];
	return {
		available,
		values,
		contacts: { email: flags?.email === true, phone: flags?.phone === true },
		categories,
		labels: predictionLabels(predictions)
	};
}

/**
 * After new predictions on the same scoring: swaps the prediction columns of `builder_customers`
 * (built by `prepareBuilder`) and says again which prediction fields have values.
 */
export async function refreshBuilderPredictions(
	db: BoundRunner,
	fields: BuilderFields,
	predictions: PredictionColumns | null
): Promise<BuilderFields> {
	await db.run(replacePredictionsSql(predictions));
	const [flags] = await db.rows<Record<string, boolean>>(PREDICTION_FIELDS_SQL);
	const others = fields.available.filter((id) => !(PREDICTION_FIELDS as readonly FieldId[]).includes(id));
	const fresh = FIELDS.filter((f) => (PREDICTION_FIELDS as readonly FieldId[]).includes(f.id) && flags?.[f.id] === true).map((f) => f.id);
	// In FIELDS order, as prepareBuilder gives them.
	const available = FIELDS.map((f) => f.id).filter((id) => others.includes(id) || fresh.includes(id));
	return { ...fields, available, labels: predictionLabels(predictions) };
}

/** Customers, orders, revenue and average order value of each definition. */
export async function countSegments(db: BoundRunner, definitions: readonly SegmentDefinition[]): Promise<SegmentCounts[]> {
	const counts: SegmentCounts[] = [];
	for (const def of definitions) {
		const [row] = await db.bound<Omit<SegmentCounts, 'aov'>>(segmentCountSql(def));
		const c = row ?? { customers: 0, orders: 0, revenue: 0 };
		counts.push({ ...c, aov: c.orders > 0 ? c.revenue / c.orders : 0 });
	}
	return counts;
}

/** Fills `builder_selection` with the selection's customers (a builder segment or any list selection). */
export async function selectCustomers(db: BoundRunner, selection: CustomerSelection): Promise<void> {
	await db.run(CREATE_SELECTION_SQL);
	if (selection.kind === 'builder') {
		await db.bound(selectSegmentSql(selection.definition));
		return;
	}
	const from = needsBehaviour(selection)
		? `${CUSTOMER_SCORES} s JOIN ${CUSTOMER_BEHAVIOUR} b ON b.customer_id = s.customer_id`
		: `${CUSTOMER_SCORES} s`;
	await db.run(`INSERT INTO ${BUILDER_SELECTION} SELECT s.customer_id FROM ${from} WHERE ${selectionConditionSql(selection)}`);
}

/** Columns a merchant can pick for the CSV export, with the SQL on `builder_customers c` behind each. */
export const EXPORT_COLUMNS = {
	customer_id: ['Customer', 'c.customer_id'],
	email: ['Email', 'c.email'],
	first_name: ['First name', 'c.first_name'],
	last_name: ['Last name', 'c.last_name'],
	phone: ['Phone', 'c.phone'],
	country: ['Country', 'c.country'],
	city: ['City', 'c.city'],
	segment: ['RFM segment', 'c.segment'],
	previous_segment: ['RFM segment 90 days ago', 'c.previous_segment'],
	r: ['R', 'c.r'],
	f: ['F', 'c.f'],
	m: ['M', 'c.m'],
	rfm: ['RFM', 'c.rfm'],
	orders: ['Orders', 'c.orders'],
	total_spent: ['Total spent', 'round(c.revenue, 2)'],
	aov: ['Average order value', 'round(c.aov, 2)'],
	first_order: ['First order', `strftime(c.first_order, '%Y-%m-%d')`],
	last_order: ['Last order', `strftime(c.last_order, '%Y-%m-%d')`],
	days_since_last: ['Days since last order', 'c.days_since_last'],
	accepts_marketing: ['Accepts marketing', 'c.accepts_marketing'],
	tags: ['Tags', 'c.tags'],
	// As in the other exports: the chance as 0–1, values rounded to cents.
	p_alive: ['Chance still active', 'round(c.p_alive / 100, 4)'],
	p_order_next: ['Chance of an order (first horizon)', 'round(c.p_order_next / 100, 4)'],
	expected_orders: ['Expected orders (first horizon)', 'round(c.expected_orders, 4)'],
	expected_order_value: ['Expected order value', 'round(c.expected_order_value, 2)'],
	predicted_value: ['Predicted value (value horizon)', 'round(c.predicted_value, 2)']
} as const satisfies Record<string, readonly [string, string]>;
export type ExportColumn = keyof typeof EXPORT_COLUMNS;
/** Export columns that exist only with predictions (the export offers them once there are some). */
export const PREDICTION_EXPORT_COLUMNS: readonly ExportColumn[] = [
	'p_alive',
	'p_order_next',
	'expected_orders',
	'expected_order_value',
	'predicted_value'
];

/** What to export: chosen columns, the email-tool list, or a Meta or Google customer-match file. */
export type ExportRequest =
	| { preset: 'columns'; columns: ExportColumn[] }
	| { preset: 'email'; tag: string; marketingOnly: boolean }
	| { preset: 'meta' }
	| { preset: 'google' };

/** The CSV of the chosen columns for the customers in `builder_selection`, written by DuckDB as `fileName`. */
export function columnsExportSql(columns: readonly ExportColumn[], fileName: string): string {
	if (columns.length === 0) throw new Error('Pick at least one column to export.');
	const list = columns.map((key) => {
		const column = EXPORT_COLUMNS[key];
		if (!column) throw new Error(`There is no export column called “${String(key)}”.`);
		return `${column[1]} AS ${key}`;
	});
	const query = `SELECT ${list.join(', ')} FROM ${BUILDER_CUSTOMERS} c JOIN ${BUILDER_SELECTION} USING (customer_id) ORDER BY c.customer_id`;
	return copyToCsvSql(query, fileName);
}

/**
 * Contact details of the customers in `builder_selection`, with their revenue and marketing consent
 * (`prepareAudience` decides who is left out, and counts why). A customer id that is an email
 * address stands in for a missing email (files of the base columns often key customers by email).
 */
export const CONTACT_ROWS_SQL = `SELECT c.customer_id,
	coalesce(nullif(trim(c.email), ''), CASE WHEN regexp_full_match(trim(c.customer_id), ${str('[^@\\s]+@[^@\\s]+\\.[^@\\s]+')}) THEN trim(c.customer_id) END) AS email,
	c.phone, c.first_name, c.last_name, c.full_name, c.country, c.segment, CAST(c.revenue AS DOUBLE) AS revenue, c.accepts_marketing
FROM ${BUILDER_CUSTOMERS} c JOIN ${BUILDER_SELECTION} USING (customer_id)
ORDER BY c.customer_id`;

/** Only the email list may leave out customers who declined marketing (the ad files follow the platforms' own consent rules). */
const marketingOnlyOf = (request: Exclude<ExportRequest, { preset: 'columns' }>) => request.preset === 'email' && request.marketingOnly;

/** An audience or email-list preset as CSV text, hashed where the platform asks for it. */
export async function presetCsv(db: SqlRunner, request: Exclude<ExportRequest, { preset: 'columns' }>): Promise<string> {
	const { rows } = await prepareAudience(await db.rows<ContactRow>(CONTACT_ROWS_SQL), request.preset, marketingOnlyOf(request));
	if (request.preset === 'email') return emailListCsv(rows, request.tag || null);
	return request.preset === 'meta' ? metaAudienceCsv(rows) : googleAudienceCsv(rows);
}

/** How many rows an audience file of the customers in `builder_selection` will have, and who is left out and why. */
export async function presetCounts(db: SqlRunner, request: Exclude<ExportRequest, { preset: 'columns' }>): Promise<AudienceCounts> {
	return (await prepareAudience(await db.rows<ContactRow>(CONTACT_ROWS_SQL), request.preset, marketingOnlyOf(request))).counts;
}
