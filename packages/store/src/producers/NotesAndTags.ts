/**
 * Staff notes and customer tags (SPEC §5). Adding a note records `NoteAdded`; adding or
 * removing a tag changes the profile's tags and records `TagAdded` / `TagRemoved` — in one
 * transaction. Adding a tag the customer has (or removing one they lack) changes nothing and
 * records nothing.
 */
import { Customer, Errors, type Ids } from "@actionlog/domain"
import { Clock, Context, Effect, Layer } from "effect"
import { ActionStore } from "../ActionStore"
import { Customers } from "../Customers"
import { Database } from "../Database"
import type { DatabaseError } from "../DatabaseError"
import { makeId } from "../internal/ids"
import { num, str } from "../internal/rows"
import { envelope, recordOptions, tn, type ActionContext } from "./Shared"

export interface NoteView {
  readonly id: string
  readonly customerId: string
  readonly text: string
  /** Who wrote it (`staff:<id>`, `apiKey:<id>`). */
  readonly author: string
  readonly actionId: string
  readonly createdAt: number
}

export interface TagChange {
  readonly changed: boolean
  readonly tags: ReadonlyArray<string>
  readonly actionId?: Ids.ActionId
}

type ProfileError = Errors.CustomerNotFound | Errors.ActionRejection | DatabaseError

export class NotesAndTags extends Context.Service<
  NotesAndTags,
  {
    readonly addNote: (
      customer: Customer.CustomerRef,
      text: string,
      ctx?: ActionContext,
    ) => Effect.Effect<NoteView, ProfileError>
    /** Newest first. */
    readonly notes: (
      customer: Customer.CustomerRef,
    ) => Effect.Effect<ReadonlyArray<NoteView>, Errors.CustomerNotFound | DatabaseError>
    readonly addTag: (
      customer: Customer.CustomerRef,
      tag: string,
      ctx?: ActionContext,
    ) => Effect.Effect<TagChange, ProfileError>
    readonly removeTag: (
      customer: Customer.CustomerRef,
      tag: string,
      ctx?: ActionContext,
    ) => Effect.Effect<TagChange, ProfileError>
  }
>()("@actionlog/store/NotesAndTags") {
  static readonly layer = Layer.effect(
    NotesAndTags,
    Effect.gen(function* () {
      const db = yield* Database
      const actions = yield* ActionStore
      const customers = yield* Customers

      const addNote = Effect.fn("NotesAndTags.addNote")(function* (
        ref: Customer.CustomerRef,
        text: string,
        ctx: ActionContext = {},
      ) {
        return yield* db.transaction(
          Effect.gen(function* () {
            const customer = yield* customers.resolve(ref)
            const recorded = yield* actions.record(
              {
                customer: { id: customer.id },
                template: tn("NoteAdded"),
                payload: { text },
                ...envelope(ctx),
              },
              recordOptions(ctx),
            )
            const now = yield* Clock.currentTimeMillis
            const by = ctx.recordedBy
            const note: NoteView = {
              id: makeId("note"),
              customerId: customer.id,
              text,
              author: by === undefined ? "system:store" : `${by.kind}:${by.id}`,
              actionId: recorded.id,
              createdAt: now,
            }
            yield* db.execute(
              "INSERT INTO customer_notes (id, customer_id, text, author, action_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
              [note.id, note.customerId, note.text, note.author, note.actionId, now],
            )
            return note
          }),
        )
      })

      const notes = Effect.fn("NotesAndTags.notes")(function* (ref: Customer.CustomerRef) {
        const customer = yield* customers.resolve(ref)
        const rows = yield* db.query(
          "SELECT id, customer_id, text, author, action_id, created_at FROM customer_notes WHERE customer_id = ? ORDER BY created_at DESC, id DESC",
          [customer.id],
        )
        return rows.map((r): NoteView => ({
          id: str(r, "id"),
          customerId: str(r, "customer_id"),
          text: str(r, "text"),
          author: str(r, "author"),
          actionId: str(r, "action_id"),
          createdAt: num(r, "created_at"),
        }))
      })

      const changeTag = (
        ref: Customer.CustomerRef,
        tag: string,
        add: boolean,
        ctx: ActionContext,
      ) =>
        db.transaction(
          Effect.gen(function* () {
            const before = yield* customers.resolve(ref)
            const has = before.tags.includes(tag)
            if (has === add) return { changed: false, tags: before.tags } satisfies TagChange
            const tags = add ? [...before.tags, tag] : before.tags.filter((t) => t !== tag)
            const now = yield* Clock.currentTimeMillis
            yield* db.execute("UPDATE customers SET profile = ?, updated_at = ? WHERE id = ?", [
              JSON.stringify({
                personal: before.personal,
                subscriptions: before.subscriptions,
                tags,
                customFields: before.customFields,
              }),
              now,
              before.id,
            ])
            const recorded = yield* actions.record(
              {
                customer: { id: before.id },
                template: tn(add ? "TagAdded" : "TagRemoved"),
                payload: { tag },
                ...envelope(ctx),
              },
              recordOptions(ctx),
            )
            return { changed: true, tags, actionId: recorded.id } satisfies TagChange
          }),
        )

      const addTag = Effect.fn("NotesAndTags.addTag")(
        (ref: Customer.CustomerRef, tag: string, ctx: ActionContext = {}) =>
          changeTag(ref, tag, true, ctx),
      )
      const removeTag = Effect.fn("NotesAndTags.removeTag")(
        (ref: Customer.CustomerRef, tag: string, ctx: ActionContext = {}) =>
          changeTag(ref, tag, false, ctx),
      )

      return NotesAndTags.of({ addNote, notes, addTag, removeTag })
    }),
  )
}
