import { Schema } from "effect"
import { Customer } from "@actionlog/domain"
import { NotesAndTags } from "@actionlog/store"
import { input } from "../schemas"
import { router, run } from "../trpc"
import {
  ActionEnvelope,
  Text,
  actionContext,
  auditStaff,
  editCustomer,
  readProducer,
} from "./producerShared"

export const notesRouter = router({
  /** Adds a note to the customer (`NoteAdded`). */
  add: editCustomer()
    .input(
      input(
        Schema.Struct({ customer: Customer.CustomerRef, text: Text(10_000), ...ActionEnvelope }),
      ),
    )
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        auditStaff(
          ctx.caller,
          NotesAndTags.use((n) =>
            n.addNote(input.customer, input.text, actionContext(ctx.caller, input)),
          ),
          (note) => ({
            action: "notes.add",
            targetType: "customer",
            targetId: note.customerId,
            changes: { noteId: note.id, actionId: note.actionId },
          }),
        ),
      ),
    ),

  /** The customer's notes, newest first. */
  list: readProducer()
    .input(input(Schema.Struct({ customer: Customer.CustomerRef })))
    .query(({ ctx, input }) =>
      run(
        ctx,
        NotesAndTags.use((n) => n.notes(input.customer)),
      ),
    ),
})
