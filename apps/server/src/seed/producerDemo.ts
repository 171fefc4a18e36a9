/**
 * Demo data produced through the producers, so the demo shop has real state behind
 * its actions: orders with realistic lifecycles (paid, shipped, delivered, a cancellation, a
 * partial return), a campaign whose messages were sent, delivered, opened and clicked (and one
 * unsubscribe), promo codes issued and redeemed in orders, bonus points, rewards, notes, tags
 * and one merge of a duplicate profile. Times are backfilled over the last weeks.
 */
import type { Customer, Ids } from "@actionlog/domain"
import { Effect } from "effect"
import {
  Campaigns,
  Customers,
  NotesAndTags,
  Orders,
  Profiles,
  PromoCodes,
  Rewards,
  type ActionContext,
} from "@actionlog/store"
import * as Demo from "./DemoData"

const HOUR = 3600 * 1000
const DAY = 24 * HOUR

export interface ProducerDemoResult {
  readonly orders: number
  readonly messageEvents: number
  readonly codesIssued: number
  readonly codesRedeemed: number
}

const by: ActionContext["recordedBy"] = { kind: "system", id: "seed" }

const isoBefore = (ms: number, now: number) => new Date(Math.min(ms, now - 60_000)).toISOString()
const ref = (id: string): Customer.CustomerRef => ({ id: id as Ids.CustomerId })

/** The envelope of a demo action at `ms` (clamped into the past), optionally at a touchpoint. */
const contextAt =
  (now: number, recordingAt: (ms: number) => void) =>
  (ms: number, touchpoint?: string): ActionContext => {
    // Built right before its producer call runs: that call records at this event's time.
    recordingAt(Math.min(ms, now - 60_000))
    return {
      occurredAt: isoBefore(ms, now),
      recordedBy: by,
      ...(touchpoint === undefined ? {} : { touchpoint: { externalId: touchpoint } }),
    }
  }

/** Runs the producers over the demo customers (ids + emails), deterministically from `r`. */
export const producerDemo = (
  people: ReadonlyArray<{ readonly id: string; readonly email: string }>,
  r: () => number,
  now: number,
  /** Told the event time of each action about to be produced (the seed sets its clock). */
  recordingAt: (ms: number) => void = () => {},
) =>
  Effect.gen(function* () {
    const orders = yield* Orders
    const campaigns = yield* Campaigns
    const promo = yield* PromoCodes
    const rewards = yield* Rewards
    const notes = yield* NotesAndTags
    const profiles = yield* Profiles
    const customers = yield* Customers
    const ctx = contextAt(now, recordingAt)

    // Promo codes: a generated welcome pool and an imported partner pool.
    yield* promo.createPool({
      id: "welcome-10",
      name: "Welcome 10%",
      description: "10% off the first order",
    })
    yield* promo.generateCodes("welcome-10", { count: 40, prefix: "WELCOME-", length: 6 })
    yield* promo.createPool({
      id: "partner-2026",
      name: "Partner codes",
      description: "Imported from a partner",
    })
    yield* promo.importCodes("partner-2026", ["PARTNER-A1", "PARTNER-A2", "PARTNER-A3"])

    // Campaign with an email and a push message.
    yield* campaigns.createCampaign({
      id: "spring-sale",
      name: "Spring sale",
      brandId: "northwind" as Ids.BrandId,
    })
    yield* campaigns.createMessage({
      id: "spring-sale-email",
      campaignId: "spring-sale",
      name: "Spring sale — email",
      channel: "email",
      subject: "Spring is here: up to 30% off",
    })
    yield* campaigns.createMessage({
      id: "spring-sale-push",
      campaignId: "spring-sale",
      name: "Spring sale — push",
      channel: "push",
    })

    let orderCount = 0
    let messageEvents = 0
    let codesIssued = 0
    let codesRedeemed = 0
    for (const [i, person] of people.entries()) {
      const customer = ref(person.id)
      const start = now - (20 + Math.floor(r() * 30)) * DAY

      // Campaign: composed and sent to everyone; most delivered; some open, fewer click.
      const send = start + 2 * DAY
      const message = r() < 0.7 ? "spring-sale-email" : "spring-sale-push"
      const event = (
        e: Parameters<typeof campaigns.recordEvent>[0]["event"],
        ms: number,
        extra = {},
      ) =>
        campaigns
          .recordEvent({ messageId: message, customer, event: e, ...ctx(ms, "esp"), ...extra })
          .pipe(Effect.tap(() => Effect.sync(() => messageEvents++)))
      yield* event("composed", send - HOUR)
      yield* event("sent", send)
      if (r() < 0.08) {
        yield* event("deliveryFailed", send + 60_000, { reason: "mailboxFull" })
      } else {
        yield* event("delivered", send + 60_000)
        if (r() < 0.55) {
          yield* event("opened", send + 3 * HOUR, { eventId: `open-${i}` })
          if (r() < 0.4) {
            yield* event("clicked", send + 3 * HOUR + 60_000, {
              eventId: `click-${i}`,
              url: "https://northwind.example.com/spring",
            })
          }
        }
      }
      if (i === 3) yield* event("unsubscribeRequested", send + 5 * HOUR, { eventId: `unsub-${i}` })

      // Welcome code for about half of the customers.
      let code: string | undefined
      if (r() < 0.5) {
        const issued = yield* promo.issue({
          poolId: "welcome-10",
          customer,
          ...ctx(start + DAY, "northwind-web"),
        })
        code = issued.code.code
        codesIssued++
      }

      // Orders with lifecycles.
      if (r() < 0.45) {
        const orderId = `N-${2000 + i}`
        const placed = send + (1 + Math.floor(r() * 5)) * DAY
        const lines = Array.from({ length: 1 + Math.floor(r() * 3) }, () => {
          const p = Demo.product(r)
          return {
            productId: p.productId,
            name: p.name,
            quantity: 1 + Math.floor(r() * 2),
            unitPrice: p.price,
          }
        })
        const created = yield* orders.create({
          orderId,
          customer,
          currency: "EUR",
          lines,
          shipping: 4.9,
          ...(code === undefined ? {} : { promoCodes: [code], discount: 5 }),
          ...ctx(placed, "northwind-web"),
        })
        orderCount++
        if (code !== undefined) {
          yield* promo.redeem({ code, customer, orderId, ...ctx(placed + 1000, "northwind-web") })
          codesRedeemed++
        }
        const total = created.order.snapshot.totals.total
        if (r() < 0.12) {
          yield* orders.changeStatus({
            orderId,
            status: "cancelled",
            reason: "Customer changed their mind",
            ...ctx(placed + 2 * HOUR),
          })
        } else {
          yield* orders.changeStatus({
            orderId,
            status: "paid",
            payment: { method: "card", amount: total },
            ...ctx(placed + 5 * 60_000),
          })
          yield* orders.changeStatus({ orderId, status: "confirmed", ...ctx(placed + HOUR) })
          yield* orders.changeStatus({ orderId, status: "shipped", ...ctx(placed + DAY) })
          if (placed + 3 * DAY < now) {
            yield* orders.changeStatus({ orderId, status: "delivered", ...ctx(placed + 3 * DAY) })
            yield* rewards.changeBonus({
              customer,
              delta: Math.round(total),
              reason: "order",
              orderId,
              ...ctx(placed + 3 * DAY + 60_000),
            })
            if (lines.length > 1 && r() < 0.3) {
              yield* orders.changeStatus({
                orderId,
                status: "returned",
                lineIds: ["2"],
                reason: "Did not fit",
                ...ctx(placed + 6 * DAY),
              })
            }
          }
        }
      }

      if (i % 9 === 0) {
        yield* rewards.issueReward({
          customer,
          reward: "birthday-gift",
          description: "Free scarf",
          ...ctx(start + 4 * DAY, "admin-panel"),
        })
      }
      if (i % 7 === 0) {
        yield* notes.addNote(
          customer,
          "Asked about the return policy by phone.",
          ctx(start + 5 * DAY, "call-centre"),
        )
        yield* notes.addTag(customer, "called-support", ctx(start + 5 * DAY, "call-centre"))
      }
    }

    // A duplicate profile (same person, old email) with a little history, merged into the first.
    const first = people[0]
    if (first !== undefined) {
      const dup = yield* customers.create({
        identifiers: [{ kind: "email", value: `old.${first.email}` }],
        personal: { city: "Riga" },
      })
      const dupIssued = yield* promo.issue({
        poolId: "partner-2026",
        customer: ref(dup.id),
        ...ctx(now - 40 * DAY, "call-centre"),
      })
      void dupIssued
      codesIssued++
      yield* profiles.merge(ref(first.id), ref(dup.id), ctx(now - 2 * DAY, "admin-panel"))
    }
    return {
      orders: orderCount,
      messageEvents,
      codesIssued,
      codesRedeemed,
    } satisfies ProducerDemoResult
  })
