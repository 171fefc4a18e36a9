/**
 * Shared setup of the producer tests: the server app's test helpers (a real HTTP server over a
 * fresh database file, API keys and staff sessions), plus a brand, a touchpoint and customers.
 */
import type { Ids } from "@actionlog/domain"
import { Brands, Settings, Touchpoints } from "@actionlog/store"
import { Effect } from "effect"
import {
  client,
  failure,
  startTestServer,
  type TestServer,
} from "../../../../apps/server/test/helpers"

export { client, failure, snapshot, type TestServer } from "../../../../apps/server/test/helpers"

export interface ProducerFixture {
  readonly t: TestServer
  /** Typed client with an admin-scope API key. */
  readonly api: ReturnType<typeof client>
  /** Typed client signed in as the admin staff user. */
  readonly staff: ReturnType<typeof client>
  /** Brand `acme` and its website touchpoint `acme-web` (the default); brand `beta` too. */
  readonly touchpointId: string
  readonly newCustomer: (email: string) => Promise<string>
  /** Every action of a customer's feed, newest first. */
  readonly feed: (customerId: string) => Promise<ReadonlyArray<FeedItem>>
}

export interface FeedItem {
  readonly id: string
  readonly template: string
  readonly category: string
  readonly customerId: string
  readonly touchpointId: string
  readonly brandId: string
  readonly payload: Record<string, unknown>
  readonly recordedBy: { readonly kind: string; readonly id: string }
}

export const startFixture = async (): Promise<ProducerFixture> => {
  const t = await startTestServer()
  const touchpoint = await t.server.runtime.runPromise(
    Effect.gen(function* () {
      yield* Brands.use((b) => b.create({ id: "acme" as Ids.BrandId, name: "Acme" }))
      yield* Brands.use((b) => b.create({ id: "beta" as Ids.BrandId, name: "Beta" }))
      const tp = yield* Touchpoints.use((tp) =>
        tp.create({
          externalId: "acme-web",
          name: "Acme web",
          kind: "website",
          channelId: "ch_default" as Ids.ChannelId,
          brandId: "acme" as Ids.BrandId,
        }),
      )
      // Multi-brand, so brands are checked; actions without a touchpoint go to acme-web.
      yield* Settings.use((s) => s.update({ multiBrand: true, defaultTouchpointId: tp.id }))
      return tp
    }),
  )
  const api = client(t.url, { apiKey: t.keys.admin })
  const staff = client(t.url, { cookie: t.cookies.admin })
  return {
    t,
    api,
    staff,
    touchpointId: touchpoint.id,
    newCustomer: async (email) =>
      (await api.customers.create.mutate({ identifiers: [{ kind: "email", value: email }] })).id,
    feed: async (customerId) => {
      const page = await api.actions.feed.query({
        customer: { id: customerId as Ids.CustomerId },
        limit: 500,
      })
      return page.items as unknown as ReadonlyArray<FeedItem>
    },
  }
}

/** The tag of a failed call (and its HTTP status). */
export const tagOf = async (promise: Promise<unknown>) => {
  const f = await failure(promise)
  return { tag: f.data.tag, status: f.data.httpStatus, message: f.message }
}
