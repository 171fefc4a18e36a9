/**
 * Realistic, deterministic bench data: 10k customers (a few "heavy" ones that own most of the
 * actions), a mix of built-in templates with ~300-byte payloads, transaction ids on every
 * action, some customers referenced by email instead of id.
 */

/** Small fast deterministic PRNG (mulberry32). */
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

export const customerId = (i: number): string => `c_bench_${i.toString().padStart(6, "0")}`
export const customerEmail = (i: number): string => `customer${i}@example.com`

export interface BenchCustomer {
  readonly id: string
  readonly email: string
  readonly firstName: string
  readonly lastName: string
}

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
]

export const makeCustomers = (n: number): ReadonlyArray<BenchCustomer> =>
  Array.from({ length: n }, (_, i) => ({
    id: customerId(i),
    email: customerEmail(i),
    firstName: FIRST[i % FIRST.length]!,
    lastName: LAST[Math.floor(i / FIRST.length) % LAST.length]!,
  }))

const PRODUCTS = Array.from({ length: 500 }, (_, i) => ({
  productId: `p-${100000 + i}`,
  sku: `SKU-${(i * 7919) % 100000}`,
  name: `Product ${i}: organic cotton oxford shirt with button-down collar, slim fit, long sleeves, chest pocket, colour ${["white", "light blue", "navy", "olive"][i % 4]}, size ${["S", "M", "L", "XL"][i % 4]}, machine washable at 40 degrees, made in Portugal from certified organic cotton, regular length, mother-of-pearl buttons`,
  categoryId: `cat-${i % 40}`,
  price: Math.round((5 + (i % 200) * 1.37) * 100) / 100,
}))

const message = (r: () => number) => ({
  campaignId: `campaign-2026-03-spring-collection-launch-eu-west-${Math.floor(r() * 50)}`,
  messageId: `message-2026-03-spring-collection-launch-newsletter-variant-b-audience-loyal-${Math.floor(r() * 400)}`,
  channel: (["email", "sms", "push"] as const)[Math.floor(r() * 3)]!,
})

const orderSnapshot = (r: () => number, status: "placed" | "paid") => {
  const n = 2 + Math.floor(r() * 2)
  const lines = Array.from({ length: n }, (_, i) => {
    const p = PRODUCTS[Math.floor(r() * PRODUCTS.length)]!
    const quantity = 1 + Math.floor(r() * 3)
    return {
      lineId: `l${i + 1}`,
      productId: p.productId,
      sku: p.sku,
      quantity,
      unitPrice: p.price,
      total: Math.round(p.price * quantity * 100) / 100,
      status,
    }
  })
  const subtotal = Math.round(lines.reduce((s, l) => s + l.total, 0) * 100) / 100
  return {
    orderId: `o-${Math.floor(r() * 1e9)}`,
    status,
    currency: "EUR",
    lines,
    totals: { subtotal, discount: 0, shipping: 4.9, tax: 0, total: subtotal + 4.9 },
  }
}

/** A payload generator per template, weighted like a shop's traffic. */
const TEMPLATES: ReadonlyArray<{
  readonly template: string
  readonly weight: number
  readonly payload: (r: () => number) => Record<string, unknown>
}> = [
  {
    template: "ProductViewed",
    weight: 35,
    payload: (r) => ({ product: PRODUCTS[Math.floor(r() * PRODUCTS.length)]! }),
  },
  {
    template: "CategoryViewed",
    weight: 8,
    payload: (r) => ({
      categoryId: `cat-${Math.floor(r() * 40)}`,
      name: "Men's clothing / Shirts / Casual shirts — spring collection, all sizes and colours, organic cotton and linen, new arrivals and bestsellers, free delivery from 50 EUR",
    }),
  },
  {
    template: "ProductListChanged",
    weight: 12,
    payload: (r) => {
      const p = PRODUCTS[Math.floor(r() * PRODUCTS.length)]!
      return {
        list: r() < 0.8 ? "cart" : "wishlist",
        op: "add",
        items: [
          { productId: p.productId, sku: p.sku, quantity: 1 + Math.floor(r() * 2), price: p.price },
          {
            productId: `p-${100000 + Math.floor(r() * 500)}`,
            sku: `SKU-${Math.floor(r() * 1e5)}`,
            quantity: 1,
            price: 19.9,
          },
          {
            productId: `p-${100000 + Math.floor(r() * 500)}`,
            sku: `SKU-${Math.floor(r() * 1e5)}`,
            quantity: 2,
            price: 7.5,
          },
        ],
      }
    },
  },
  { template: "OrderPlaced", weight: 10, payload: (r) => ({ order: orderSnapshot(r, "placed") }) },
  { template: "MessageSent", weight: 14, payload: (r) => ({ message: message(r) }) },
  { template: "MessageOpened", weight: 10, payload: (r) => ({ message: message(r) }) },
  {
    template: "MessageClicked",
    weight: 6,
    payload: (r) => ({
      message: message(r),
      url: `https://shop.example.com/collections/spring?utm_source=email&utm_campaign=c${Math.floor(r() * 50)}&utm_content=hero-banner`,
    }),
  },
  { template: "CustomerSignedIn", weight: 2, payload: () => ({ method: "password" }) },
  {
    template: "BonusPointsChanged",
    weight: 3,
    payload: (r) => ({
      delta: Math.floor(r() * 500),
      balanceAfter: Math.floor(r() * 5000),
      reason: "Points for the order, loyalty programme tier Silver, spring double-points promotion",
    }),
  },
]
const TOTAL_WEIGHT = TEMPLATES.reduce((s, t) => s + t.weight, 0)

export interface BenchItem {
  readonly customerIndex: number
  readonly input: {
    readonly customer:
      { readonly id: string } | { readonly identifier: { kind: string; value: string } }
    readonly template: string
    readonly occurredAt: string
    readonly transactionId: string
    readonly payload: Record<string, unknown>
  }
}

export interface StreamOptions {
  readonly seed: number
  readonly customers: number
  /** Customers 0..heavy-1 get `heavyShare` of all actions. */
  readonly heavy: number
  readonly heavyShare: number
  /** Event times are spread over this many ms before `nowMs`. */
  readonly spanMs: number
  readonly nowMs: number
  /** Share of items that reference the customer by email instead of id. */
  readonly byEmailShare: number
  readonly txPrefix: string
}

/** An endless deterministic stream of record inputs. */
export function* actionStream(o: StreamOptions): Generator<BenchItem> {
  const r = rng(o.seed)
  for (let n = 0; ; n++) {
    const c =
      r() < o.heavyShare
        ? Math.floor(r() * o.heavy)
        : o.heavy + Math.floor(r() * (o.customers - o.heavy))
    let w = r() * TOTAL_WEIGHT
    let t = TEMPLATES[0]!
    for (const candidate of TEMPLATES) {
      w -= candidate.weight
      if (w <= 0) {
        t = candidate
        break
      }
    }
    yield {
      customerIndex: c,
      input: {
        customer:
          r() < o.byEmailShare
            ? { identifier: { kind: "email", value: customerEmail(c) } }
            : { id: customerId(c) },
        template: t.template,
        occurredAt: new Date(o.nowMs - Math.floor(r() * o.spanMs)).toISOString(),
        transactionId: `${o.txPrefix}-${n}`,
        payload: t.payload(r),
      },
    }
  }
}

/**
 * The stream the write benchmarks share: five heavy customers own 20% of the actions, event
 * times spread over a year before `nowMs`, 20% of items name the customer by email.
 */
export const shopStream = (o: {
  readonly seed: number
  readonly customers: number
  readonly nowMs: number
  readonly txPrefix: string
}): Generator<BenchItem> =>
  actionStream({
    ...o,
    heavy: 5,
    heavyShare: 0.2,
    spanMs: 365 * 24 * 3600 * 1000,
    byEmailShare: 0.2,
  })

export const sum = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => a + b, 0)
export const median = (xs: ReadonlyArray<number>): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

export const take = <A>(it: Iterator<A>, n: number): Array<A> => {
  const out: Array<A> = []
  for (let i = 0; i < n; i++) {
    const next = it.next()
    if (next.done === true) break
    out.push(next.value)
  }
  return out
}

export const percentile = (xs: ReadonlyArray<number>, p: number): number => {
  if (xs.length === 0) return 0
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil(s.length * p) - 1)] ?? 0
}

export const round = (x: number, digits = 3): number => {
  const f = 10 ** digits
  return Math.round(x * f) / f
}
