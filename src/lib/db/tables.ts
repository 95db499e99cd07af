/**
 * The names of the tables and views the engine keeps in DuckDB, written once. SQL builders take
 * them from here rather than typing them, so a rename or a search for who reads a table is one
 * symbol away. Grouped by the step that creates them.
 */

// Ingest (src/lib/ingest): the file's rows, grouped into orders, and the canonical relations.
/** The file rows parsed and typed, when several files or line items need every row kept. */
export const INPUT_ROWS = 'input_rows';
/** Lines the CSV reader or a converter could not turn into rows, with their reason. */
export const REJECTED_ROWS = 'rejected_rows';
/** One row per order, or per exclusion reason: the import report is one aggregate of it. */
export const ORDER_CANDIDATES = 'order_candidates';
/** The counted orders (a view over `order_candidates`). */
export const ORDERS = 'orders';
/** Cancellations and credits that net out of revenue (a view over `order_candidates`). */
export const RETURNS = 'returns';
/** Line items, when the file has them. */
export const ORDER_LINES = 'order_lines';
/** Contact details per customer, when the file has them. */
export const CUSTOMERS = 'customers';

// Scoring (src/lib/rfm): the page's present scoring.
/** The orders inside the look-back window (a view over `orders`). */
export const WINDOW_ORDERS = 'window_orders';
/** Credits per customer inside the window (a view); `${WINDOW_RETURNS}_rows` lists them one by one. */
export const WINDOW_RETURNS = 'window_returns';
/** The window's credits one by one (a view). */
export const WINDOW_RETURNS_ROWS = `${WINDOW_RETURNS}_rows`;
/** Recency, frequency and monetary value per customer. */
export const CUSTOMER_METRICS = 'customer_metrics';
/** The metrics with r, f, m, the `rfm` code and the segment. */
export const CUSTOMER_SCORES = 'customer_scores';
/** Behaviour segments per scored customer, rebuilt on demand. */
export const CUSTOMER_BEHAVIOUR = 'customer_behaviour';

// Predictions (src/lib/predict).
/** BG/NBD and Gamma-Gamma predictions per customer. */
export const CUSTOMER_PREDICTIONS = 'customer_predictions';

// History (src/lib/history).
/** One customer per row: `customer_id, from_kind, from_segment, to_kind, to_segment, later_revenue, later_orders`. */
export const HISTORY_MIGRATION = 'history_migration';

/** Per scored customer: the segment 90 days ago and since when they are in today's segment. */
export const CUSTOMER_PAST = 'customer_past';

// Repeat-purchase questions (src/lib/journeys), built for one analysis date.
/** Counted orders up to the analysis date, numbered per customer, with first and next order dates. */
export const JOURNEY_ORDERS = 'journey_orders';
/** The distinct items of each numbered order with their amounts. */
export const JOURNEY_ITEMS = 'journey_items';
/** The item standing for each of the first three orders, while the paths are counted (a temp table). */
export const JOURNEY_MAIN = 'journey_main';
/** Per customer: first order facts, order and coupon counts, first-year orders and revenue. */
export const JOURNEY_CUSTOMERS = 'journey_customers';
/** Orders and credits, dated, with the customer's first order date (a view). */
export const JOURNEY_REVENUE = 'journey_revenue';

// The builder (src/lib/builder) and the explore views (src/lib/rfm/explore.ts).
/** One row per scored customer with everything the builder's conditions test. */
export const BUILDER_CUSTOMERS = 'builder_customers';
/** The customers of the selection being exported or listed (a temp table). */
export const BUILDER_SELECTION = 'builder_selection';
/** The customer list of one query with its position (a temp table): a deep window is a range read. */
export const EXPLORE_LIST = 'explore_list';
