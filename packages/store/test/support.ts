import type { RecordActionInput } from "@actionlog/domain"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { storeLayer } from "./helpers"

export const T0 = Date.parse("2026-03-01T12:00:00.000Z")
export const iso = (ms: number) => new Date(ms).toISOString()

type Loose = {
  readonly customer:
    { readonly id: string } | { readonly identifier: { kind: string; value: string } }
  readonly template: string
  readonly occurredAt?: string
  readonly touchpoint?: { readonly id: string } | { readonly externalId: string }
  readonly brand?: string
  readonly transactionId?: string
  readonly payload?: Record<string, unknown>
  readonly customFields?: Record<string, unknown>
  readonly createCustomer?: boolean
}

/** A record input from plain strings (the brands only exist in the type system). */
export const input = (x: Loose): RecordActionInput.RecordActionInput =>
  x as unknown as RecordActionInput.RecordActionInput

export const viewed = (customerId: string, extra: Partial<Loose> = {}) =>
  input({
    customer: { id: customerId },
    template: "ProductViewed",
    payload: { product: { productId: "p-1", name: "Shirt", price: 10 } },
    ...extra,
  })

/** Run a test body against a fresh store in a temp file, with the clock set to T0. */
export const withStore = <A, E, R>(
  body: Effect.Effect<A, E, R>,
  driver: "native" | "client" = "native",
) => {
  const t = storeLayer({ driver })
  return Effect.andThen(TestClock.setTime(T0), body).pipe(
    Effect.provide(t.layer),
    Effect.ensuring(Effect.sync(t.cleanup)),
  )
}
