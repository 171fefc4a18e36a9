import { Effect, Schema } from "effect"
import { Ids, Template } from "@actionlog/domain"
import { Templates } from "@actionlog/store"
import { audited, auditedUpdate } from "../Audit"
import { asNotFound } from "../errors"
import { input } from "../schemas"
import { procedure, router, run } from "../trpc"

const read = () => procedure.requires({ scope: "read", permission: "actions.view" })
const manage = () => procedure.requires({ scope: "admin", permission: "templates.manage" })

export const templatesRouter = router({
  /** Built-in and custom templates, by category then system name. */
  list: read()
    .input(input(Schema.Struct({ category: Schema.optional(Template.Category) })))
    .query(({ ctx, input }) =>
      run(
        ctx,
        Templates.use((t) => t.list({ category: input.category })),
      ),
    ),

  get: read()
    .input(input(Schema.Struct({ systemName: Ids.TemplateName })))
    .query(({ ctx, input }) =>
      run(
        ctx,
        Templates.use((t) => t.get(input.systemName).pipe(Effect.mapError(asNotFound))),
      ),
    ),

  /** A custom template; the system name is derived from the display name when not given. */
  create: manage()
    .input(input(Template.CreateTemplateInput))
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Templates.use((t) =>
          audited(t.create(input), (created) => ({
            action: "templates.create",
            targetType: "template",
            targetId: created.systemName,
            changes: { after: created },
          })),
        ),
      ),
    ),

  /** A template in use can gain optional fields but cannot change a field's type. */
  update: manage()
    .input(
      input(Schema.Struct({ systemName: Ids.TemplateName, changes: Template.UpdateTemplateInput })),
    )
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Templates.use((templates) =>
          auditedUpdate(
            templates.get(input.systemName).pipe(Effect.mapError(asNotFound)),
            templates.update(input.systemName, input.changes),
            (before, after) => ({
              action: "templates.update",
              targetType: "template",
              targetId: after.systemName,
              changes: { before, after },
            }),
          ),
        ),
      ),
    ),
})
