import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
} from "@trpc/client"
// Only the router's type: the client carries no server code.
import type { AppRouter } from "@actionlog/api"

export type { AppRouter }
export { TRPCClientError } from "@trpc/client"

export interface ActionlogClientOptions {
  /** The server's base URL (`https://actionlog.internal`), without `/trpc`. */
  readonly url: string
  /** An API key (`al_live_…`) with the scopes the calls need. */
  readonly apiKey: string
  /** Extra headers for every request (tracing ids…). */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Custom fetch (tests, proxies). */
  readonly fetch?: typeof globalThis.fetch | undefined
  /**
   * EventSource for subscriptions where there is no global one (Node 20: e.g. the
   * `eventsource` package). Browsers and Node 22+ have one.
   */
  readonly EventSource?: EventSourceConstructor | undefined
}

type EventSourceConstructor = new (url: string, init?: unknown) => EventSource

export type ActionlogClient = TRPCClient<AppRouter>

/**
 * The typed client for another team's service: queries and mutations are batched over HTTP;
 * subscriptions go over SSE (the key travels in the Authorization header of both).
 */
export const createActionlogClient = (options: ActionlogClientOptions): ActionlogClient => {
  const base = `${options.url.replace(/\/+$/, "")}/trpc`
  const headers = () => ({ ...options.headers, authorization: `Bearer ${options.apiKey}` })
  const fetchOption = options.fetch === undefined ? {} : { fetch: options.fetch as never }
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url: base,
          // An EventSource cannot send headers: the key travels as a connection parameter.
          connectionParams: () => ({ apiKey: options.apiKey }),
          ...(options.EventSource === undefined
            ? {}
            : { EventSource: options.EventSource as never }),
        }),
        false: httpBatchLink({ url: base, headers, maxItems: 50, ...fetchOption }),
      }),
    ],
  })
}
