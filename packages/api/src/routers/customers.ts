import { Schema } from "effect"
import { Customer, Ids, ProfileDiff, Registry } from "@actionlog/domain"
import { Customers } from "@actionlog/store"
import { audited, auditedUpdate } from "../Audit"
import { input } from "../schemas"
import { procedure, router, run } from "../trpc"

const read = () => procedure.requires({ scope: "read", permission: "actions.view" })
// Keys with `ingest` write customers for other teams' services; staff need `customers.edit`.
const write = () => procedure.requires({ scope: "ingest", permission: "customers.edit" })

const Tag = Schema.String.pipe(Schema.check(Schema.isNonEmpty(), Schema.isMaxLength(100)))

const ProfileInput = {
  identifiers: Schema.optional(
    Schema.Array(Customer.CustomerIdentifier).pipe(Schema.check(Schema.isMaxLength(50))),
  ),
  personal: Schema.optional(Customer.PersonalData),
  subscriptions: Schema.optional(
    Schema.Array(Customer.Subscription).pipe(Schema.check(Schema.isMaxLength(200))),
  ),
  tags: Schema.optional(Schema.Array(Tag).pipe(Schema.check(Schema.isMaxLength(200)))),
  customFields: Schema.optional(Schema.Record(Schema.String, Schema.Unknown)),
}

// Customer audit entries name the changed fields, not their values: the values are in the
// customer's ProfileEdited / ProfileCorrected action, which erasure removes with the profile,
// while the append-only audit log keeps no personal data.
const changedFields = (
  before: ProfileDiff.ComparableProfile,
  after: ProfileDiff.ComparableProfile,
) => ProfileDiff.diffProfiles(before, after).map((c) => c.field)

export const customersRouter = router({
  /**
   * Creates a profile. With `registered`, the customer's `CustomerRegistered` action is
   * recorded with it (same transaction), so the new feed starts with how they joined.
   */
  create: write()
    .input(
      input(
        Schema.Struct({
          ...ProfileInput,
          registered: Schema.optional(
            Schema.Struct({ method: Schema.Literals(["email", "phone", "social", "other"]) }),
          ),
        }),
      ),
    )
    .mutation(({ ctx, input: { registered, ...profileInput } }) =>
      run(
        ctx,
        Customers.use((c) =>
          audited(
            c.createWith(
              profileInput,
              registered === undefined
                ? {}
                : {
                    registered: {
                      method: registered.method,
                      recordedBy: { kind: ctx.caller.kind, id: ctx.caller.id },
                    },
                  },
            ),
            (profile) => ({
              action: "customers.create",
              targetType: "customer",
              targetId: profile.id as string,
              changes: { fields: changedFields({}, profile) },
            }),
          ),
        ),
      ),
    ),

  get: read()
    .input(input(Schema.Struct({ id: Ids.CustomerId })))
    .query(({ ctx, input }) =>
      run(
        ctx,
        Customers.use((c) => c.get(input.id)),
      ),
    ),

  findByIdentifier: read()
    .input(input(Customer.CustomerIdentifier))
    .query(({ ctx, input }) =>
      run(
        ctx,
        Customers.use((c) => c.findByIdentifier(input)),
      ),
    ),

  /** Customers whose name or any identifier starts with `query`. */
  search: read()
    .input(
      input(
        Schema.Struct({
          query: Schema.String.pipe(Schema.check(Schema.isNonEmpty(), Schema.isMaxLength(200))),
          limit: Schema.optional(
            Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 100 }))),
          ),
        }),
      ),
    )
    .query(({ ctx, input }) =>
      run(
        ctx,
        Customers.use((c) => c.search(input.query, { limit: input.limit })),
      ),
    ),

  /**
   * Changes the profile, field by field (`personal` and `customFields`: named fields change,
   * `null` clears one, the others stay; lists are replaced whole). Through an API key it is the customer's own edit (`ProfileEdited`);
   * by staff it is a correction (`ProfileCorrected`, with `reason`). The diff is recorded as
   * an action and, for every edit, in the audit log — all in one transaction.
   */
  edit: write()
    .input(
      input(
        Schema.Struct({
          id: Ids.CustomerId,
          // Field level: named fields change, `null` clears one, unnamed fields stay.
          changes: Schema.Struct({
            ...ProfileInput,
            personal: Schema.optional(Customer.PersonalDataChanges),
          }),
          reason: Schema.optional(Schema.String.pipe(Schema.check(Schema.isMaxLength(500)))),
          touchpoint: Schema.optional(Registry.TouchpointRef),
        }),
      ),
    )
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Customers.use((customers) =>
          auditedUpdate(
            customers.get(input.id),
            customers.update(input.id, input.changes, {
              by: ctx.caller.kind === "staff" ? "staff" : "customer",
              reason: input.reason,
              recordedBy: { kind: ctx.caller.kind, id: ctx.caller.id },
              touchpoint: input.touchpoint,
            }),
            (before, result) => ({
              action: "customers.edit",
              targetType: "customer",
              targetId: input.id as string,
              changes: {
                fields: changedFields(before, result.profile),
                actionId: result.actionId ?? null,
                reason: input.reason ?? null,
              },
            }),
          ),
        ),
      ),
    ),
})
