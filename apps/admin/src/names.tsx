/**
 * Names instead of ids: a list collects the customer, staff and API-key ids of the page it
 * shows and asks `names.lookup` once for all of them.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query"
import { useState } from "react"
import { useTRPC } from "./trpc"

export interface NameRequest {
  readonly customers?: ReadonlyArray<string>
  readonly staff?: ReadonlyArray<string>
  readonly apiKeys?: ReadonlyArray<string>
}

export interface Names {
  readonly customer: (id: string) => string | undefined
  readonly staff: (id: string) => string | undefined
  readonly apiKey: (id: string) => string | undefined
}

// The server's per-request cap (Errors.MAX_NAME_LOOKUP); larger lists page their lookups.
export const NAME_LOOKUP_MAX = 500

const uniqueSorted = (ids: ReadonlyArray<string> | undefined) =>
  [...new Set(ids ?? [])].sort().slice(0, NAME_LOOKUP_MAX)

/** One `names.lookup` request for the ids of one page. */
export const useNames = (request: NameRequest): Names => {
  const trpc = useTRPC()
  const input = {
    customers: uniqueSorted(request.customers),
    staff: uniqueSorted(request.staff),
    apiKeys: uniqueSorted(request.apiKeys),
  }
  const empty = input.customers.length + input.staff.length + input.apiKeys.length === 0
  const query = useQuery(
    trpc.names.lookup.queryOptions(input, {
      enabled: !empty,
      staleTime: 60_000,
      placeholderData: keepPreviousData,
    }),
  )
  const data = query.data
  return {
    customer: (id) => data?.customers[id],
    staff: (id) => data?.staff[id],
    apiKey: (id) => data?.apiKeys[id],
  }
}

/** A name with its id on hover; `copy` adds a button that copies the id. */
export const NameRef = ({
  id,
  name,
  copy = false,
  className,
}: {
  readonly id: string
  readonly name: string | undefined
  readonly copy?: boolean
  readonly className?: string
}) => {
  const [copied, setCopied] = useState(false)
  return (
    <span className={className} data-testid="name-ref" data-id={id}>
      <span title={id}>{name ?? id}</span>
      {copy ? (
        <button
          type="button"
          className="btn btn-xs btn-ghost copy-id"
          aria-label={`Copy id ${id}`}
          title={`Copy ${id}`}
          onClick={(e) => {
            e.preventDefault()
            e.stopPropagation()
            void navigator.clipboard?.writeText(id).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }}
        >
          {copied ? "copied" : "copy id"}
        </button>
      ) : null}
    </span>
  )
}

const kindLabels: Record<string, string> = {
  apiKey: "API key",
  staff: "Staff user",
  import: "Import",
  system: "System",
}

/** "Staff user · Demo Admin", "API key · checkout-service", "Import", "System". */
export const recordedByLabel = (
  by: { readonly kind: string; readonly id: string },
  names: Names,
): string => {
  const kind = kindLabels[by.kind] ?? by.kind
  const name =
    by.kind === "staff" ? names.staff(by.id) : by.kind === "apiKey" ? names.apiKey(by.id) : by.id
  return name ? `${kind} · ${name}` : `${kind} · ${by.id}`
}

/** The lookup request for who recorded some actions. */
export const recordedByRequest = (
  list: ReadonlyArray<{ readonly kind: string; readonly id: string } | undefined>,
): Pick<NameRequest, "staff" | "apiKeys"> => ({
  staff: list.flatMap((b) => (b?.kind === "staff" ? [b.id] : [])),
  apiKeys: list.flatMap((b) => (b?.kind === "apiKey" ? [b.id] : [])),
})
