import { Effect, Schema } from "effect"
import { Ids, Registry, Time } from "@actionlog/domain"
import { Database, type ActionContext, type Principal } from "@actionlog/store"
import { audit } from "../Audit"
import { procedure } from "../trpc"

// Shared by the producer routers: who may call them, the action envelope every
// producer call accepts, and auditing of staff changes.

/** Reading producer state: like reading actions. */
export const readProducer = () => procedure.requires({ scope: "read", permission: "actions.view" })
/** Events that record actions (orders, message events, codes, bonus): like recording actions. */
export const ingestProducer = () =>
  procedure.requires({ scope: "ingest", permission: "actions.add" })
/** Changes to a customer's profile (tags, notes, subscriptions, merge): like editing customers. */
export const editCustomer = () =>
  procedure.requires({ scope: "ingest", permission: "customers.edit" })
/** Configuration (campaigns and their templates, code pools, bonus kinds). */
export const configureProducer = () =>
  procedure.requires({ scope: "admin", permission: "templates.manage" })

/** The optional envelope of the actions a producer call records. */
export const ActionEnvelope = {
  touchpoint: Schema.optional(Registry.TouchpointRef),
  brand: Schema.optional(Ids.BrandId),
  /** The event time, a time input (default now; at most 5 minutes ahead). */
  occurredAt: Schema.optional(Time.TimeInputForms),
}

export const Text = (max: number) =>
  Schema.String.pipe(Schema.check(Schema.isNonEmpty(), Schema.isMaxLength(max)))

/** The envelope of a validated input, with the caller as recorder. */
export const actionContext = (
  caller: Principal,
  input: {
    readonly touchpoint?: Registry.TouchpointRef | undefined
    readonly brand?: Ids.BrandId | undefined
    readonly occurredAt?: Time.TimeInputValue | undefined
  },
): ActionContext => ({
  touchpoint: input.touchpoint,
  brand: input.brand,
  occurredAt: input.occurredAt,
  recordedBy: { kind: caller.kind, id: caller.id },
})

/**
 * A staff member's change is audited (in its transaction); an API key's is not (volume).
 * `describe` may answer `undefined` for a call that changed nothing (nothing to audit).
 */
export const auditStaff = <A, E, R>(
  caller: Principal,
  change: Effect.Effect<A, E, R>,
  describe: (result: A) =>
    | {
        readonly action: string
        readonly targetType: string
        readonly targetId: string | null
        readonly changes: unknown
      }
    | undefined,
) =>
  caller.kind === "staff"
    ? Database.use((db) =>
        db.transaction(
          Effect.tap(change, (result) => {
            const entry = describe(result)
            return entry === undefined ? Effect.void : audit(entry)
          }),
        ),
      )
    : change
