/**
 * The demo project loaded on an empty database: two brands, a channel tree with touchpoints,
 * a custom template, ~40 customers with months of history, and every built-in template used at
 * least once. Deterministic (seeded PRNG) so screenshots and tests see the same shop.
 */
import { Catalog } from "@actionlog/domain"

export const rng = (seed: number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const brands = [
  { id: "northwind", name: "Northwind Apparel", industry: "Fashion" },
  { id: "southwind", name: "Southwind Home", industry: "Home & living" },
] as const

/** Channel tree: externalId, name, parent externalId. */
export const channels: ReadonlyArray<readonly [string, string, string | null]> = [
  ["online", "Online", null],
  ["web", "Websites", "online"],
  ["apps", "Mobile apps", "online"],
  ["messaging", "Messaging", "online"],
  ["offline", "Offline", null],
  ["central", "Central region", "offline"],
  ["moscow", "Moscow", "central"],
  ["northwest", "North-West region", "offline"],
  ["spb", "Saint Petersburg", "northwest"],
  ["service", "Customer service", null],
  ["social", "Social networks", "online"],
]

/** Touchpoints: externalId, name, kind, channel externalId, brand. */
export const touchpoints: ReadonlyArray<
  readonly [
    string,
    string,
    "website" | "mobileApp" | "store" | "socialNetwork" | "callCentre" | "adminPanel",
    string,
    string | undefined,
  ]
> = [
  ["northwind-web", "northwind.example.com", "website", "web", "northwind"],
  ["southwind-web", "southwind.example.com", "website", "web", "southwind"],
  ["northwind-ios", "Northwind iOS app", "mobileApp", "apps", "northwind"],
  ["northwind-android", "Northwind Android app", "mobileApp", "apps", "northwind"],
  ["esp", "Email & SMS platform", "website", "messaging", undefined],
  ["store-tverskaya", "Store Tverskaya 12", "store", "moscow", "northwind"],
  ["store-arbat", "Store Arbat 7", "store", "moscow", "southwind"],
  ["store-nevsky", "Store Nevsky 28", "store", "spb", "northwind"],
  ["call-centre", "Call centre", "callCentre", "service", undefined],
  ["instagram", "Instagram", "socialNetwork", "social", "northwind"],
  ["admin-panel", "Admin panel", "adminPanel", "service", undefined],
]

export const customTemplate = {
  displayName: "Store visit",
  systemName: "StoreVisit",
  category: "personal",
  description: "The customer was seen in a store (loyalty card scanned at the entrance).",
  tags: ["offline"],
  customFields: [
    { name: "visitId", type: "externalIdentity", required: true, description: "Scanner event id" },
    { name: "minutes", type: "integer", required: false, description: "Time spent in the store" },
    { name: "zone", type: "enum", required: false, values: ["entrance", "fitting", "checkout"] },
  ],
} as const

const FIRST = [
  "Anna",
  "Boris",
  "Chloe",
  "Dmitri",
  "Elena",
  "Farid",
  "Greta",
  "Hugo",
  "Ines",
  "Jonas",
  "Katya",
  "Leon",
  "Maria",
  "Nikolai",
  "Olga",
  "Pavel",
  "Rita",
  "Sergei",
  "Tanya",
  "Viktor",
]
const LAST = [
  "Ivanova",
  "Smith",
  "Müller",
  "Rossi",
  "Dubois",
  "Kowalski",
  "Novak",
  "Silva",
  "Kim",
  "Berg",
  "Petrova",
  "Garcia",
]
const CITIES = ["Moscow", "Saint Petersburg", "Berlin", "Lisbon", "Riga", "Kazan"]

export interface DemoCustomer {
  readonly email: string
  readonly phone: string
  readonly websiteId: string
  readonly firstName: string
  readonly lastName: string
  readonly city: string
  readonly tags: ReadonlyArray<string>
}

export const makeCustomers = (n: number, r: () => number): ReadonlyArray<DemoCustomer> =>
  Array.from({ length: n }, (_, i) => {
    const firstName = FIRST[i % FIRST.length]!
    const lastName = LAST[(i * 7) % LAST.length]!
    return {
      email: `${firstName}.${lastName}${i}@example.com`.toLowerCase().replace("ü", "u"),
      phone: `+4915${String(10000000 + Math.floor(r() * 89999999))}`,
      websiteId: `web-${(100000 + i * 37).toString(36)}`,
      firstName,
      lastName,
      city: CITIES[Math.floor(r() * CITIES.length)]!,
      tags: r() < 0.2 ? ["vip"] : r() < 0.4 ? ["newcomer"] : [],
    }
  })

const PRODUCTS = [
  ["sku-42", "Linen shirt", "shirts", 39.9],
  ["sku-43", "Oxford shirt", "shirts", 44.5],
  ["sku-77", "Slim chinos", "trousers", 59.0],
  ["sku-81", "Wool scarf", "accessories", 24.9],
  ["sku-90", "Leather belt", "accessories", 29.0],
  ["sku-120", "Rain jacket", "outerwear", 119.0],
  ["sku-201", "Cotton towel set", "home", 34.0],
  ["sku-202", "Ceramic mug", "home", 9.5],
] as const

export const product = (r: () => number) => {
  const [productId, name, categoryId, price] = PRODUCTS[Math.floor(r() * PRODUCTS.length)]!
  return { productId, name, categoryId, price }
}

const round = (n: number) => Math.round(n * 100) / 100

export const order = (r: () => number, orderId: string, status: string) => {
  const n = 1 + Math.floor(r() * 3)
  const lines = Array.from({ length: n }, (_, i) => {
    const p = product(r)
    const quantity = 1 + Math.floor(r() * 2)
    return {
      lineId: String(i + 1),
      productId: p.productId,
      sku: `${p.productId.toUpperCase()}-M`,
      name: p.name,
      quantity,
      unitPrice: p.price,
      total: round(p.price * quantity),
      status,
    }
  })
  const subtotal = round(lines.reduce((s, l) => s + l.total, 0))
  return {
    orderId,
    status,
    currency: "EUR",
    lines,
    totals: { subtotal, discount: 0, shipping: 4.9, tax: 0, total: round(subtotal + 4.9) },
  }
}

const CAMPAIGNS = ["spring-sale", "summer-arrivals", "loyalty-welcome", "black-friday"]

export const message = (r: () => number) => {
  const campaignId = CAMPAIGNS[Math.floor(r() * CAMPAIGNS.length)]!
  const channel = (["email", "sms", "push"] as const)[Math.floor(r() * 3)]!
  return { campaignId, messageId: `${campaignId}-${channel}-1`, channel }
}

/** The catalog's example payload for a template (always valid). */
export const example = (template: string): Record<string, unknown> =>
  structuredClone(
    (Catalog.listBuiltInTemplates().find((t) => t.definition.systemName === template)?.example ??
      {}) as Record<string, unknown>,
  )
