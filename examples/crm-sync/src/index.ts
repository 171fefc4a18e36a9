/**
 * The CRM team's sync job, as an example of using actionlog from another package: it knows
 * nothing of actionlog's internals, only `@actionlog/client` and an API key.
 */
import { createActionlogClient, TRPCClientError, type ActionlogClient } from "@actionlog/client"

/** A row of the CRM's own export. */
export interface CrmEvent {
  readonly crmId: string
  readonly email: string
  readonly kind: "call" | "order" | "tag"
  readonly at: Date
  readonly text?: string
  readonly orderId?: string
  readonly total?: number
  readonly tag?: string
}

export interface SyncReport {
  readonly recorded: number
  readonly alreadyProcessed: number
  readonly rejected: ReadonlyArray<{
    readonly crmId: string
    readonly tag: string
    readonly message: string
  }>
}

export class CrmSync {
  private readonly api: ActionlogClient

  constructor(options: { readonly url: string; readonly apiKey: string }) {
    this.api = createActionlogClient(options)
  }

  /** Sends CRM events as actions; the CRM id is the transaction id, so re-running is safe. */
  async push(events: ReadonlyArray<CrmEvent>): Promise<SyncReport> {
    const items = events.map((e) => ({
      customer: { identifier: { kind: "email", value: e.email } },
      createCustomer: true,
      occurredAt: e.at.toISOString(),
      transactionId: `crm-${e.crmId}`,
      ...toAction(e),
    }))
    const { results, recorded, alreadyProcessed } = await this.api.actions.recordBatch.mutate({
      items,
    })
    const rejected = results.flatMap((r, i) =>
      r.status === "rejected" ? [{ crmId: events[i]!.crmId, tag: r.tag, message: r.message }] : [],
    )
    return { recorded, alreadyProcessed, rejected }
  }

  /** The customer's latest actions, newest first (what a CRM agent sees next to the contact). */
  async timeline(email: string, limit = 20) {
    try {
      const page = await this.api.actions.feed.query({
        customer: { identifier: { kind: "email", value: email } },
        limit,
      })
      return page.items.map((a) => ({
        id: a.id,
        template: a.template,
        occurredAt: new Date(a.occurredAt),
      }))
    } catch (error) {
      if (error instanceof TRPCClientError && error.data?.tag === "CustomerNotFound") return []
      throw error
    }
  }

  /**
   * Reacts to each action issued to a contact (all of them, or only `templates`), in recorded
   * order, over the live subscription. `lastEventId` (from a previous watch) resumes right
   * after the last action handled: no gaps, no repeats.
   */
  onActionIssued(
    options: {
      readonly email: string
      readonly templates?: ReadonlyArray<string> | undefined
      readonly lastEventId?: string | undefined
    },
    handle: (action: IssuedAction) => void,
    onError: (error: unknown) => void = noop,
  ): ActionWatch {
    let last = options.lastEventId
    const { promise: ready, resolve: markReady, reject: failReady } = deferred()
    // The error also goes to `onError`: a caller that never awaits `ready` must not crash.
    ready.catch(() => {})
    // Only a fresh subscription announces `ready`; a resumed one listens once it is open.
    const resuming = last !== undefined
    const subscription = this.api.live.actions.subscribe(
      {
        customer: { identifier: { kind: "email", value: options.email } },
        ...(options.templates === undefined ? {} : { templates: [...options.templates] }),
        ...(last === undefined ? {} : { lastEventId: last }),
      },
      {
        onStarted: () => {
          if (resuming) markReady()
        },
        onData: ({ id, data }) => {
          // `ready` carries the position too: resuming from it misses nothing recorded since.
          last = id
          if (data.type === "ready") return markReady()
          handle(toIssued(id, data.action))
        },
        onError: (error) => {
          failReady(error)
          onError(error)
        },
      },
    )
    return { ready, lastEventId: () => last, close: () => subscription.unsubscribe() }
  }
}

/** An action issued to a contact, as the CRM reacts to it. */
export interface IssuedAction {
  /** The action's id. */
  readonly id: string
  readonly template: string
  readonly occurredAt: Date
  /** The stream position: pass it as `lastEventId` to resume right after this action. */
  readonly eventId: string
}

export interface ActionWatch {
  /** Resolves once the server listens (everything recorded from then on is delivered). */
  readonly ready: Promise<void>
  /** The position of the last event (action or `ready`) seen: resume from it after `close`. */
  readonly lastEventId: () => string | undefined
  readonly close: () => void
}

const noop = () => {}

// `Promise.withResolvers` needs Node 22.
const deferred = () => {
  let resolve: () => void = noop
  let reject: (error: unknown) => void = noop
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const toIssued = (eventId: string, a: { id: string; template: string; occurredAt: number }) => ({
  id: a.id,
  template: a.template,
  occurredAt: new Date(a.occurredAt),
  eventId,
})

const toAction = (e: CrmEvent) => {
  switch (e.kind) {
    case "call":
      return { template: "NoteAdded", payload: { text: e.text ?? "Call logged in the CRM" } }
    case "tag":
      return { template: "TagAdded", payload: { tag: e.tag ?? "crm" } }
    case "order": {
      const total = e.total ?? 0
      return {
        template: "OrderPlaced",
        payload: {
          order: {
            orderId: e.orderId ?? e.crmId,
            status: "placed",
            currency: "EUR",
            lines: [
              {
                lineId: "1",
                productId: "crm-order",
                quantity: 1,
                unitPrice: total,
                total,
                status: "placed",
              },
            ],
            totals: { subtotal: total, discount: 0, shipping: 0, tax: 0, total },
          },
        },
      }
    }
  }
}
