/**
 * What the demo store sells and to whom: products in categories, countries with cities, channels
 * and payment methods with their shares. Invented names; nothing here describes a real shop or person.
 */

export interface Product {
	sku: string;
	name: string;
	category: string;
	price: number;
	/** The CSV cells, written once instead of on every line. */
	cell: string;
	priceText: string;
}

const PRODUCTS: [category: string, items: [name: string, price: number][]][] = [
	[
		'Coffee',
		[
			['House Blend Beans 250g', 9.5],
			['Single Origin Ethiopia 250g', 13.9],
			['Decaf Colombia 250g', 11.5],
			['Espresso Roast 1kg', 32],
			['Cold Brew Pack', 14.5],
			['Coffee Sampler Box', 24]
		]
	],
	[
		'Tea',
		[
			['Earl Grey Loose Leaf', 8.9],
			['Sencha Green Tea', 10.5],
			['Chai Spice Blend', 9.9],
			['Herbal Sleep Infusion', 7.5],
			['Matcha Ceremonial 30g', 21]
		]
	],
	[
		'Brewing',
		[
			['Pour-Over Dripper', 24],
			['Paper Filters (100)', 5.5],
			['French Press 1L', 34],
			['Hand Grinder', 59],
			['Gooseneck Kettle', 69],
			['Espresso Machine Compact', 289]
		]
	],
	[
		'Mugs & Cups',
		[
			['Stoneware Mug', 16],
			['Double-Wall Glass Set', 22],
			['Travel Tumbler', 27],
			['Espresso Cups (4)', 19.5]
		]
	],
	[
		'Snacks',
		[
			['Almond Biscotti', 6.5],
			['Dark Chocolate Bar', 4.9],
			['Salted Caramel Cookies', 5.9],
			['Granola Jar', 8.5]
		]
	],
	[
		'Subscriptions',
		[
			['Monthly Coffee Subscription', 29],
			['Tea of the Month', 24]
		]
	],
	[
		'Gifts',
		[
			['Gift Card $25', 25],
			['Gift Card $50', 50],
			['Holiday Gift Box', 45],
			['Barista Starter Kit', 119]
		]
	],
	[
		'Accessories',
		[
			['Milk Frother', 29],
			['Coffee Scale', 39],
			['Storage Canister', 18],
			['Tamper', 25]
		]
	]
];

/**
 * The catalogue in a fixed order where cheap everyday items come first: the generator picks
 * early items more often (a skewed draw), as a real store sells more beans than espresso machines.
 */
export const CATALOGUE: Product[] = PRODUCTS.flatMap(([category, items], c) =>
	items.map(([name, price], i) => ({
		sku: `SKU-${c + 1}${String(i + 1).padStart(2, '0')}`,
		name,
		category,
		price,
		cell: /[",\n]/.test(name) ? `"${name.replaceAll('"', '""')}"` : name,
		priceText: price.toFixed(2)
	}))
).sort((a, b) => a.price - b.price || a.sku.localeCompare(b.sku));

export const COUNTRIES: { code: string; weight: number; cities: string[] }[] = [
	{ code: 'US', weight: 0.46, cities: ['New York', 'Chicago', 'Austin', 'Seattle', 'Denver', 'Portland', 'Atlanta', 'Boston'] },
	{ code: 'CA', weight: 0.12, cities: ['Toronto', 'Vancouver', 'Montreal', 'Calgary'] },
	{ code: 'GB', weight: 0.14, cities: ['London', 'Manchester', 'Bristol', 'Leeds', 'Edinburgh'] },
	{ code: 'DE', weight: 0.09, cities: ['Berlin', 'Hamburg', 'Munich', 'Cologne'] },
	{ code: 'FR', weight: 0.06, cities: ['Paris', 'Lyon', 'Bordeaux'] },
	{ code: 'NL', weight: 0.04, cities: ['Amsterdam', 'Utrecht', 'Rotterdam'] },
	{ code: 'AU', weight: 0.06, cities: ['Sydney', 'Melbourne', 'Brisbane'] },
	{ code: 'JP', weight: 0.03, cities: ['Tokyo', 'Osaka'] }
];

export const CHANNELS: [string, number][] = [
	['web', 0.58],
	['mobile_app', 0.24],
	['marketplace', 0.11],
	['pos', 0.07]
];

export const PAYMENT_METHODS: [string, number][] = [
	['card', 0.55],
	['paypal', 0.2],
	['apple_pay', 0.13],
	['klarna', 0.07],
	['gift_card', 0.05]
];

export const FIRST_NAMES = [
	'Ava',
	'Ben',
	'Chloe',
	'Daniel',
	'Emma',
	'Felix',
	'Grace',
	'Hugo',
	'Isla',
	'Jack',
	'Kira',
	'Liam',
	'Maya',
	'Noah',
	'Olivia',
	'Pablo',
	'Quinn',
	'Rosa',
	'Sam',
	'Tara',
	'Umar',
	'Vera',
	'Will',
	'Xena',
	'Yusuf',
	'Zoe',
	'Amir',
	'Bea',
	'Carlos',
	'Dana',
	'Elif',
	'Finn',
	'Greta',
	'Hana',
	'Ivan',
	'Jonas',
	'Lena',
	'Marco',
	'Nina',
	'Omar',
	'Priya',
	'Ravi',
	'Sofia',
	'Tom',
	'Yara'
];

export const LAST_NAMES = [
	'Adams',
	'Baker',
	'Chen',
	'Dubois',
	'Evans',
	'Fischer',
	'Garcia',
	'Hansen',
	'Ito',
	'Jensen',
	'Kowalski',
	'Lopez',
	'Martin',
	'Nguyen',
	'Okafor',
	'Patel',
	'Quinn',
	"O'Brien",
	'Rossi',
	'Schmidt',
	'Tanaka',
	'Usman',
	'Varga',
	'Weber',
	'Xu',
	'Young',
	'Zimmer',
	'Brown',
	'Silva',
	'Novak',
	'Murphy',
	'Kim',
	'Larsen',
	'Moreau',
	'Costa',
	'Singh'
];
