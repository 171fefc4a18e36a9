import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
} from "@trpc/client"
import { EventSource as FetchEventSource, type FetchLike } from "eventsource"
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
  /** Custom fetch (tests, proxies); also used for subscriptions. */
  readonly fetch?: typeof globalThis.fetch | undefined
  /**
   * Another EventSource for subscriptions (e.g. the browser's). By default subscriptions use
   * the `eventsource` package, which works on Node 20 and sends the key in a header. A custom
   * EventSource cannot be assumed to send headers, so the key then travels as the connection
   * parameter `apiKey` (in the URL).
   */
  readonly EventSource?: EventSourceConstructor | undefined
}

/** What the subscription link needs of an EventSource: the DOM one or any ponyfill. */
export type EventSourceConstructor = new (
  url: string,
  init?: never,
) => {
  readonly readyState: number
  close(): void
}

export type ActionlogClient = TRPCClient<AppRouter>

/**
 * The typed client for another team's service: queries and mutations are batched over HTTP;
 * subscriptions go over SSE. Both send the key in the Authorization header.
 */
export const createActionlogClient = (options: ActionlogClientOptions): ActionlogClient => {
  const base = `${options.url.replace(/\/+$/, "")}/trpc`
  const headers = () => ({ ...options.headers, authorization: `Bearer ${options.apiKey}` })
  const fetchOption = options.fetch === undefined ? {} : { fetch: options.fetch as never }
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true:
          options.EventSource === undefined
            ? httpSubscriptionLink({ url: base, ...headerEventSource(headers, options.fetch) })
            : httpSubscriptionLink({
                url: base,
                // A foreign EventSource may not send headers: pass the key as a parameter.
                connectionParams: () => ({ apiKey: options.apiKey }),
                EventSource: options.EventSource as never,
              }),
        false: httpBatchLink({ url: base, headers, maxItems: 50, ...fetchOption }),
      }),
    ],
  })
}

/**
 * The `eventsource` ponyfill (Node 20 has no global EventSource) with a fetch that adds our
 * headers, so the key stays out of URLs and access logs.
 */
const headerEventSource = (
  headers: () => Record<string, string>,
  customFetch: typeof globalThis.fetch | undefined,
) => {
  const fetchWithHeaders: FetchLike = (url, init) =>
    (customFetch ?? globalThis.fetch)(url, {
      ...init,
      headers: { ...init.headers, ...headers() },
    })
  return {
    EventSource: FetchEventSource,
    eventSourceOptions: { fetch: fetchWithHeaders },
  }
}
