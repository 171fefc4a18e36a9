/**
 * Segments (SPEC §6), compiled to one SQL query over `customers c`: each `HasActions` becomes
 * `EXISTS (SELECT 1 FROM actions WHERE customer_id = c.id AND template IN … [AND occurred_at in
 * window])`, or for "at least N" a count of that subquery limited to N — each one seek into the
 * covering `actions_segments` index (customer_id, template, occurred_at), so the cost grows
 * with the number of customers and conditions, not with the number of actions. `And` / `Or` /
 * `Not` become `AND` / `OR` / `NOT`. The list is keyset-paginated on the customer id.
 */
import { Errors, Segment } from "@actionlog/domain"
import { Clock, Context, Effect, Layer, Result, Schema } from "effect"
import { Database, type SqlValue } from "./Database"
import type { DatabaseError } from "./DatabaseError"
import { makeId } from "./internal/ids"

/** A named segment definition, with what its last evaluation found. */
export interface SavedSegment {
  readonly id: string
  readonly name: string
  readonly segment: Segment.Segment
  readonly createdAt: number
  readonly createdBy: string
  readonly updatedAt: number
  /** When it was last evaluated (`evaluate`), and how many members it had then. */
  readonly evaluatedAt: number | null
  readonly memberCount: number | null
}

/** Who joined and who left between the previous evaluation and this one. */
export interface SegmentEvaluation {
  readonly saved: SavedSegment
  readonly count: number
  /** The previous evaluation's time; null on the first (then nobody "entered" or "left"). */
  readonly since: number | null
  readonly entered: { readonly count: number; readonly ids: ReadonlyArray<string> }
  readonly left: { readonly count: number; readonly ids: ReadonlyArray<string> }
}

/** How many entered / left ids an evaluation returns (the counts are always complete). */
export const EVALUATION_SAMPLE = 100

const encodeSegment = Schema.encodeSync(Segment.Segment)
const decodeSegment = Schema.decodeUnknownSync(Segment.Segment)

interface SavedRow {
  readonly id: string
  readonly name: string
  readonly definition: string
  readonly created_at: number
  readonly created_by: string
  readonly updated_at: number
  readonly evaluated_at: number | null
  readonly member_count: number | null
}

const savedFromRow = (r: SavedRow): SavedSegment => ({
  id: r.id,
  name: r.name,
  segment: decodeSegment(JSON.parse(r.definition)),
  createdAt: Number(r.created_at),
  createdBy: r.created_by,
  updatedAt: Number(r.updated_at),
  evaluatedAt: r.evaluated_at === null ? null : Number(r.evaluated_at),
  memberCount: r.member_count === null ? null : Number(r.member_count),
})

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
    /** Saved segments, by name. */
    readonly savedList: Effect.Effect<ReadonlyArray<SavedSegment>, DatabaseError>
    readonly savedGet: (
      id: string,
    ) => Effect.Effect<SavedSegment, Errors.SavedSegmentNotFound | DatabaseError>
    readonly save: (input: {
      readonly name: string
      readonly segment: Segment.Segment
      readonly createdBy: string
    }) => Effect.Effect<
      SavedSegment,
      Errors.SavedSegmentNameTaken | Errors.InvalidFilter | DatabaseError
    >
    /** Renames and / or replaces the definition. */
    readonly savedUpdate: (
      id: string,
      change: {
        readonly name?: string | undefined
        readonly segment?: Segment.Segment | undefined
      },
    ) => Effect.Effect<
      { readonly before: SavedSegment; readonly after: SavedSegment },
      | Errors.SavedSegmentNotFound
      | Errors.SavedSegmentNameTaken
      | Errors.InvalidFilter
      | DatabaseError
    >
    readonly savedRemove: (
      id: string,
    ) => Effect.Effect<SavedSegment, Errors.SavedSegmentNotFound | DatabaseError>
    /**
     * Evaluates a saved segment now: its members, compared with the set the previous
     * evaluation stored (entered / left), which this one then replaces — in one transaction.
     */
    readonly evaluate: (
      id: string,
    ) => Effect.Effect<
      SegmentEvaluation,
      Errors.SavedSegmentNotFound | Errors.InvalidFilter | DatabaseError
    >
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

      const SAVED_COLUMNS =
        "id, name, definition, created_at, created_by, updated_at, evaluated_at, member_count"

      const savedList = Effect.map(
        db.query<SavedRow>(`SELECT ${SAVED_COLUMNS} FROM saved_segments ORDER BY name, id`),
        (rows) => rows.map(savedFromRow),
      )

      const savedGet = Effect.fn("Segments.savedGet")(function* (id: string) {
        const [row] = yield* db.query<SavedRow>(
          `SELECT ${SAVED_COLUMNS} FROM saved_segments WHERE id = ?`,
          [id],
        )
        if (row === undefined) return yield* new Errors.SavedSegmentNotFound({ id })
        return savedFromRow(row)
      })

      const nameFree = (name: string, except: string) =>
        Effect.gen(function* () {
          const [taken] = yield* db.query(
            "SELECT 1 FROM saved_segments WHERE name = ? AND id <> ?",
            [name, except],
          )
          if (taken !== undefined) return yield* new Errors.SavedSegmentNameTaken({ name })
        })

      const save = Effect.fn("Segments.save")(function* (input: {
        readonly name: string
        readonly segment: Segment.Segment
        readonly createdBy: string
      }) {
        yield* compile(input.segment)
        return yield* db.transaction(
          Effect.gen(function* () {
            yield* nameFree(input.name, "")
            const id = makeId("seg")
            const now = yield* Clock.currentTimeMillis
            yield* db.execute(
              "INSERT INTO saved_segments (id, name, definition, created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
              [
                id,
                input.name,
                JSON.stringify(encodeSegment(input.segment)),
                now,
                input.createdBy,
                now,
              ],
            )
            return yield* savedGet(id).pipe(Effect.catchTag("SavedSegmentNotFound", Effect.die))
          }),
        )
      })

      const savedUpdate = Effect.fn("Segments.savedUpdate")(function* (
        id: string,
        change: {
          readonly name?: string | undefined
          readonly segment?: Segment.Segment | undefined
        },
      ) {
        if (change.segment !== undefined) yield* compile(change.segment)
        return yield* db.transaction(
          Effect.gen(function* () {
            const before = yield* savedGet(id)
            if (change.name !== undefined) yield* nameFree(change.name, id)
            const now = yield* Clock.currentTimeMillis
            yield* db.execute(
              "UPDATE saved_segments SET name = ?, definition = ?, updated_at = ? WHERE id = ?",
              [
                change.name ?? before.name,
                JSON.stringify(encodeSegment(change.segment ?? before.segment)),
                now,
                id,
              ],
            )
            const after = yield* savedGet(id)
            return { before, after }
          }),
        )
      })

      const savedRemove = Effect.fn("Segments.savedRemove")(function* (id: string) {
        return yield* db.transaction(
          Effect.gen(function* () {
            const before = yield* savedGet(id)
            yield* db.execute("DELETE FROM saved_segment_members WHERE segment_id = ?", [id])
            yield* db.execute("DELETE FROM saved_segments WHERE id = ?", [id])
            return before
          }),
        )
      })

      const evaluate = Effect.fn("Segments.evaluate")(function* (id: string) {
        return yield* db.transaction(
          Effect.gen(function* () {
            const before = yield* savedGet(id)
            const { sql, args } = yield* compile(before.segment)
            const now = yield* Clock.currentTimeMillis
            // Set differences with the stored members, in SQL: no id list travels between the
            // database and the server (a segment may hold millions).
            const enteredQ = `SELECT c.id AS customer_id FROM customers c WHERE (${sql}) AND c.id NOT IN (SELECT customer_id FROM saved_segment_members WHERE segment_id = ?)`
            const enteredArgs = [...args, id]
            // A member whose profile is gone (merged away) has left too.
            const leftQ = `SELECT m.customer_id AS customer_id FROM saved_segment_members m LEFT JOIN customers c ON c.id = m.customer_id WHERE m.segment_id = ? AND (c.id IS NULL OR NOT (${sql}))`
            const leftArgs = [id, ...args]
            const counted = (q: string, a: ReadonlyArray<SqlValue>) =>
              Effect.map(db.query<{ n: number }>(`SELECT count(*) AS n FROM (${q})`, a), (r) =>
                Number(r[0]?.n ?? 0),
              )
            const sample = (q: string, a: ReadonlyArray<SqlValue>) =>
              Effect.map(
                db.query<{ customer_id: string }>(`${q} ORDER BY 1 LIMIT ${EVALUATION_SAMPLE}`, a),
                (r) => r.map((x) => x.customer_id),
              )
            const first = before.evaluatedAt === null
            const none = { count: 0, ids: [] as ReadonlyArray<string> }
            const entered = first
              ? none
              : {
                  count: yield* counted(enteredQ, enteredArgs),
                  ids: yield* sample(enteredQ, enteredArgs),
                }
            const left = first
              ? none
              : { count: yield* counted(leftQ, leftArgs), ids: yield* sample(leftQ, leftArgs) }
            yield* db.execute("DELETE FROM saved_segment_members WHERE segment_id = ?", [id])
            const inserted = yield* db.execute(
              `INSERT INTO saved_segment_members (segment_id, customer_id) SELECT ?, c.id FROM customers c WHERE ${sql}`,
              [id, ...args],
            )
            const count = inserted.rowsAffected
            yield* db.execute(
              "UPDATE saved_segments SET evaluated_at = ?, member_count = ? WHERE id = ?",
              [now, count, id],
            )
            const saved = yield* savedGet(id)
            return {
              saved,
              count,
              since: before.evaluatedAt,
              entered,
              left,
            } satisfies SegmentEvaluation
          }),
        )
      })

      return Segments.of({
        count,
        list,
        savedList,
        savedGet,
        save,
        savedUpdate,
        savedRemove,
        evaluate,
      })
    }),
  )
}
