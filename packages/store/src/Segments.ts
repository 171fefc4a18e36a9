/**
 * Segments (SPEC §6), compiled to one SQL query over `customers c`: each `HasActions` becomes
 * `EXISTS (SELECT 1 FROM actions WHERE customer_id = c.id AND template IN … [AND occurred_at in
 * window])`, or for "at least N" a count of that subquery limited to N — each one seek into the
 * covering `actions_segments` index (customer_id, template, occurred_at), so the cost grows
 * with the number of customers and conditions, not with the number of actions. `And` / `Or` /
 * `Not` become `AND` / `OR` / `NOT`. The list is keyset-paginated on the customer id.
 */
import { Errors, Segment } from "@actionlog/domain"
import { Clock, Context, Effect, Layer, Result } from "effect"
import { Database, type SqlValue } from "./Database"
import type { DatabaseError } from "./DatabaseError"

export interface SegmentMember {
  readonly id: string
  readonly identifiers: ReadonlyArray<{ readonly kind: string; readonly value: string }>
  readonly createdAt: number
}

export interface SegmentPage {
  readonly items: ReadonlyArray<SegmentMember>
  /** The last id of this page; pass it as `after` for the next page. Absent on the last. */
  readonly next?: string
}

export interface SegmentListOptions {
  readonly after?: string | undefined
  /** Default 100, at most 1,000. */
  readonly limit?: number | undefined
}

/** `segment` → a boolean SQL expression over `c.id` (customers aliased `c`) and its args. */
export const compileSegment = (
  segment: Segment.Segment,
  nowMs: number,
): { readonly sql: string; readonly args: ReadonlyArray<SqlValue> } => {
  const args: Array<SqlValue> = []
  const go = (s: Segment.Segment): string => {
    switch (s._tag) {
      case "HasActions": {
        const where = ["template IN (SELECT value FROM json_each(?))"]
        args.push(JSON.stringify(s.templates))
        const { from, to } = Segment.windowRange(s.window, nowMs)
        if (from !== undefined) {
          where.push("occurred_at >= ?")
          args.push(from)
        }
        if (to !== undefined) {
          where.push("occurred_at < ?")
          args.push(to)
        }
        const min = s.minCount ?? 1
        const match = `SELECT 1 FROM actions WHERE customer_id = c.id AND ${where.join(" AND ")}`
        if (min === 1) return `EXISTS (${match})`
        // Counting stops at `min`: a customer with thousands of matches costs `min` steps.
        args.push(min, min)
        return `(SELECT count(*) FROM (${match} LIMIT ?)) >= ?`
      }
      case "Not":
        return `NOT (${go(s.of)})`
      case "And":
        return s.of.map((c) => `(${go(c)})`).join(" AND ")
      case "Or":
        return s.of.map((c) => `(${go(c)})`).join(" OR ")
    }
  }
  const sql = go(segment)
  return { sql, args }
}

const compile = (segment: Segment.Segment) =>
  Effect.gen(function* () {
    const checked = Segment.checkSegment(segment)
    if (Result.isFailure(checked)) return yield* checked.failure
    return compileSegment(segment, yield* Clock.currentTimeMillis)
  })

export class Segments extends Context.Service<
  Segments,
  {
    /** How many customers are in the segment now. */
    readonly count: (
      segment: Segment.Segment,
    ) => Effect.Effect<number, Errors.InvalidFilter | DatabaseError>
    /** The customers in the segment, by id, keyset-paginated. */
    readonly list: (
      segment: Segment.Segment,
      options?: SegmentListOptions,
    ) => Effect.Effect<SegmentPage, Errors.InvalidFilter | DatabaseError>
  }
>()("@actionlog/store/Segments") {
  static readonly layer = Layer.effect(
    Segments,
    Effect.gen(function* () {
      const db = yield* Database

      const count = Effect.fn("Segments.count")(function* (segment: Segment.Segment) {
        const { sql, args } = yield* compile(segment)
        const [row] = yield* db.query<{ n: number }>(
          `SELECT count(*) AS n FROM customers c WHERE ${sql}`,
          args,
        )
        return Number(row?.n ?? 0)
      })

      const list = Effect.fn("Segments.list")(function* (
        segment: Segment.Segment,
        options?: SegmentListOptions,
      ) {
        const { sql, args } = yield* compile(segment)
        const limit = Math.max(1, Math.min(1000, Math.trunc(options?.limit ?? 100)))
        const after = options?.after
        const rows = yield* db.query<{ id: string; created_at: number }>(
          `SELECT c.id, c.created_at FROM customers c WHERE ${after === undefined ? "" : "c.id > ? AND "}(${sql}) ORDER BY c.id LIMIT ?`,
          [...(after === undefined ? [] : [after]), ...args, limit + 1],
        )
        const page = rows.slice(0, limit)
        const ids = page.map((r) => r.id)
        const idents =
          ids.length === 0
            ? []
            : yield* db.query<{ customer_id: string; kind: string; value: string }>(
                "SELECT customer_id, kind, value FROM customer_identifiers WHERE customer_id IN (SELECT value FROM json_each(?)) ORDER BY kind",
                [JSON.stringify(ids)],
              )
        const byCustomer = new Map<string, Array<{ kind: string; value: string }>>()
        for (const r of idents) {
          const l = byCustomer.get(r.customer_id) ?? []
          l.push({ kind: r.kind, value: r.value })
          byCustomer.set(r.customer_id, l)
        }
        const items = page.map((r) => ({
          id: r.id,
          identifiers: byCustomer.get(r.id) ?? [],
          createdAt: Number(r.created_at),
        }))
        const last = page[page.length - 1]
        return rows.length > limit && last !== undefined ? { items, next: last.id } : { items }
      })

      return Segments.of({ count, list })
    }),
  )
}
