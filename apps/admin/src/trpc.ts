/**
 * The typed tRPC client. Only the `AppRouter` *type* comes from the API package, so nothing of
 * the server ends up in the bundle.
 */
import { QueryCache, QueryClient, MutationCache } from "@tanstack/react-query"
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client"
import { createTRPCContext } from "@trpc/tanstack-react-query"
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server"
import type { AppRouter } from "@actionlog/api"
import { isUnauthorized } from "./ui/common"

export type { AppRouter }
export type RouterInputs = inferRouterInputs<AppRouter>
export type RouterOutputs = inferRouterOutputs<AppRouter>

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>()

/** Listeners told when any call answers "not signed in" (session expired or revoked). */
const unauthorizedListeners = new Set<(queryKey: unknown) => void>()
export const onUnauthorized = (listener: (queryKey: unknown) => void): (() => void) => {
  unauthorizedListeners.add(listener)
  return () => unauthorizedListeners.delete(listener)
}
const reportError = (err: unknown, queryKey?: unknown) => {
  if (isUnauthorized(err)) for (const l of unauthorizedListeners) l(queryKey)
}

export const makeQueryClient = (): QueryClient =>
  new QueryClient({
    queryCache: new QueryCache({ onError: (err, query) => reportError(err, query.queryKey) }),
    mutationCache: new MutationCache({ onError: (err) => reportError(err) }),
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        refetchOnWindowFocus: false,
        // Client errors (bad input, forbidden, not found) will not fix themselves by retrying.
        retry: (count, err) => {
          const status = (err as { data?: { httpStatus?: number } }).data?.httpStatus
          return status !== undefined && status < 500 ? false : count < 2
        },
      },
    },
  })

export const makeTRPCClient = () =>
  createTRPCClient<AppRouter>({
    links: [
      splitLink({
        // Live feeds (`live.actions`) arrive over server-sent events; EventSource sends the
        // same-origin session cookie by itself.
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({ url: "/trpc" }),
        false: httpBatchLink({
          url: "/trpc",
          // Same origin: the session cookie (HttpOnly) rides along.
          fetch: (url, init) =>
            fetch(url, { ...(init as RequestInit), credentials: "same-origin" }),
        }),
      }),
    ],
  })
