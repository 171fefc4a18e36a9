import { Schema } from "effect"
import { Customer } from "@actionlog/domain"
import { NotesAndTags } from "@actionlog/store"
import { input } from "../schemas"
import { router, run } from "../trpc"
import { ActionEnvelope, Text, actionContext, auditStaff, editCustomer } from "./producerShared"

const TagInput = Schema.Struct({
  customer: Customer.CustomerRef,
  tag: Text(100),
  ...ActionEnvelope,
})

export const tagsRouter = router({
  /** Adds a tag (`TagAdded`); a tag the customer has already changes nothing. */
  add: editCustomer()
    .input(input(TagInput))
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        auditStaff(
          ctx.caller,
          NotesAndTags.use((n) =>
            n.addTag(input.customer, input.tag, actionContext(ctx.caller, input)),
          ),
          (r) =>
            r.changed
              ? {
                  action: "tags.add",
                  targetType: "customer",
                  targetId: null,
                  changes: { tag: input.tag, ...r },
                }
              : undefined,
        ),
      ),
    ),

  /** Removes a tag (`TagRemoved`); a tag the customer lacks changes nothing. */
  remove: editCustomer()
    .input(input(TagInput))
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        auditStaff(
          ctx.caller,
          NotesAndTags.use((n) =>
            n.removeTag(input.customer, input.tag, actionContext(ctx.caller, input)),
          ),
          (r) =>
            r.changed
              ? {
                  action: "tags.remove",
                  targetType: "customer",
                  targetId: null,
                  changes: { tag: input.tag, ...r },
                }
              : undefined,
        ),
      ),
    ),
})
