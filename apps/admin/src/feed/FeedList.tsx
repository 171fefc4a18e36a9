/**
 * The activity feed: newest first, grouped by day, infinitely scrolled on the API's keyset
 * cursor and windowed so thousands of loaded actions stay fast.
 */
import { skipToken, useInfiniteQuery, useQueries, useQueryClient } from "@tanstack/react-query"
import { useSubscription } from "@trpc/tanstack-react-query"
import { Feed as DomainFeed, Ids, Registry as DomainRegistry } from "@actionlog/domain"
import { memo, useCallback, useMemo } from "react"
import { CategoryBadge, Empty, ErrorBox } from "../ui/common"
import { VirtualList } from "../ui/VirtualList"
import { dayKey, formatDay, formatNumber, formatShortDelay, formatTime } from "../format"
import { type Registry, useRegistry } from "../registry"
import { Link, useSearchParams, withQuery } from "../router"
import { useTRPC } from "../trpc"
import { type ActionView, toActionView } from "./actionView"
import { type FilterState, filterIsEmpty } from "./filterUrl"
import { type ApiFeedFilter, matchesNothing, toApiFilter } from "./apiFilter"
import { payloadSummary } from "./Payload"
import { NAME_LOOKUP_MAX } from "../names"

const PAGE_SIZE = 400
const ROW_HEIGHT = 64
const DAY_HEIGHT = 38

type Row =
  | {
      readonly kind: "day"
      readonly key: string
      readonly label: string
      readonly count: number | null
    }
  | { readonly kind: "action"; readonly action: ActionView }

const rowHeight = (r: Row) => (r.kind === "day" ? DAY_HEIGHT : ROW_HEIGHT)
const rowKey = (r: Row) => (r.kind === "day" ? `d:${r.key}` : r.action.id)

const buildRows = (actions: ReadonlyArray<ActionView>, complete: boolean): Row[] => {
  const rows: Row[] = []
  let currentDay = ""
  let dayRowIndex = -1
  let count = 0
  const closeDay = (final: boolean) => {
    if (dayRowIndex < 0) return
    const day = rows[dayRowIndex] as Extract<Row, { kind: "day" }>
    // The last loaded day may continue on the next page: don't claim a count for it yet.
    rows[dayRowIndex] = { ...day, count: final ? count : null }
  }
  for (const a of actions) {
    const key = dayKey(a.occurredAt)
    if (key !== currentDay) {
      closeDay(true)
      currentDay = key
      count = 0
      dayRowIndex = rows.length
      rows.push({ kind: "day", key, label: formatDay(a.occurredAt), count: null })
    }
    count++
    rows.push({ kind: "action", action: a })
  }
  closeDay(complete)
  return rows
}

export interface FeedListProps {
  /** One customer's feed; absent = every customer (the Actions page). */
  readonly customerId?: string
  readonly filter: FilterState
  /** Show the customer on each row (the Actions page). */
  readonly showCustomer?: boolean
}

export const FeedList = ({ customerId, filter, showCustomer = false }: FeedListProps) => {
  const trpc = useTRPC()
  const registry = useRegistry()
  const [params] = useSearchParams()
  const openId = params.get("action")
  const apiFilter = toApiFilter(filter, registry.templates)
  // A tag filter needs the registry to know its templates; a tag no template has matches none.
  const waitForTags = filter.tags.length > 0 && !registry.ready
  const none =
    filter.tags.length > 0 && registry.ready && matchesNothing(filter, registry.templates)

  const query = useInfiniteQuery(
    customerId !== undefined
      ? trpc.actions.feed.infiniteQueryOptions(
          { customer: { id: customerId }, filter: apiFilter, limit: PAGE_SIZE },
          {
            getNextPageParam: (last) => last.nextCursor ?? undefined,
            enabled: !waitForTags && !none,
          },
        )
      : trpc.actions.list.infiniteQueryOptions(
          { filter: apiFilter, limit: PAGE_SIZE },
          {
            getNextPageParam: (last) => last.nextCursor ?? undefined,
            enabled: !waitForTags && !none,
          },
        ),
  )
  const live = useLiveFeed(customerId, apiFilter, registry)

  const actions = useMemo(
    () => (query.data?.pages ?? []).flatMap((p) => p.items.map(toActionView)),
    [query.data],
  )
  const rows = useMemo(() => buildRows(actions, !query.hasNextPage), [actions, query.hasNextPage])
  const customerNames = usePageCustomerNames(showCustomer ? (query.data?.pages ?? []) : [])

  const { hasNextPage, isFetchingNextPage, fetchNextPage, isError } = query
  const onEndReached = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage && !isError) void fetchNextPage()
  }, [hasNextPage, isFetchingNextPage, isError, fetchNextPage])

  const hrefFor = useCallback(
    (id: string) => {
      const next = new URLSearchParams(params)
      next.set("action", id)
      return withQuery(window.location.pathname, next)
    },
    [params],
  )

  const renderItem = useCallback(
    (r: Row) =>
      r.kind === "day" ? (
        <div className="day-header" role="heading" aria-level={3}>
          {r.label}
          {r.count !== null ? (
            <span className="count">
              · {r.count} {r.count === 1 ? "action" : "actions"}
            </span>
          ) : null}
        </div>
      ) : (
        <ActionRow
          action={r.action}
          registry={registry}
          href={hrefFor(r.action.id)}
          current={r.action.id === openId}
          showCustomer={showCustomer}
          customerName={showCustomer ? customerNames.get(r.action.customerId) : undefined}
        />
      ),
    [registry, hrefFor, openId, showCustomer, customerNames],
  )

  if (none)
    return (
      <div className="card feed" data-testid="feed">
        <Empty title="No actions">No template carries the chosen tag.</Empty>
      </div>
    )
  if (query.isPending)
    return (
      <div className="card feed" aria-busy="true">
        <div className="feed-head">Loading actions…</div>
        {Array.from({ length: 6 }, (_, i) => (
          <div key={i} className="action-row" style={{ height: ROW_HEIGHT }}>
            <div className="skeleton" style={{ width: 40 }} />
            <div className="skeleton" style={{ width: `${40 + ((i * 17) % 40)}%` }} />
            <div className="skeleton" style={{ width: 80 }} />
          </div>
        ))}
      </div>
    )
  if (query.isError && actions.length === 0)
    return <ErrorBox error={query.error} title="Could not load actions" />

  return (
    <div className="card feed" data-testid="feed">
      <div className="feed-head">
        <span data-testid="feed-count">
          {formatNumber(actions.length)}
          {hasNextPage ? "+" : ""} {actions.length === 1 ? "action" : "actions"} · newest first
        </span>
        <span>
          {live ? (
            <span
              className="badge badge-ok"
              data-testid="live"
              title="New actions appear as they are recorded"
            >
              ● live
            </span>
          ) : null}{" "}
          <span className="keys">
            <kbd>↑</kbd> <kbd>↓</kbd> to move, <kbd>Enter</kbd> to open
          </span>
        </span>
      </div>
      {actions.length === 0 ? (
        <Empty title="No actions">
          {customerId
            ? "Nothing matches in this customer's feed."
            : "Nothing matches these filters."}
        </Empty>
      ) : (
        <VirtualList
          items={rows}
          itemHeight={rowHeight}
          itemKey={rowKey}
          renderItem={renderItem}
          onEndReached={onEndReached}
          label="Actions"
          testId="feed-list"
          footer={
            <div className="feed-foot">
              {isFetchingNextPage ? (
                <>
                  <span className="spinner" aria-hidden />
                  &nbsp;Loading more…
                </>
              ) : query.isError ? (
                <button type="button" className="btn btn-sm" onClick={() => void fetchNextPage()}>
                  Loading failed — retry
                </button>
              ) : hasNextPage ? (
                "Scroll for more"
              ) : filterIsEmpty(filter) ? (
                "Start of history"
              ) : (
                "No older actions match these filters"
              )}
            </div>
          }
        />
      )}
    </div>
  )
}

const ActionRow = memo(function ActionRow({
  action,
  registry,
  href,
  current,
  showCustomer,
  customerName,
}: {
  readonly action: ActionView
  readonly registry: Registry
  readonly href: string
  readonly current: boolean
  readonly showCustomer: boolean
  readonly customerName: string | undefined
}) {
  const template = registry.template(action.template)
  const touchpoint = registry.touchpoint(action.touchpointId)
  const brand = action.brandId ? registry.brand(action.brandId) : undefined
  const delayed = Math.abs(action.recordedAt - action.occurredAt) >= 60_000
  const summary = payloadSummary(action.payload) || payloadSummary(action.customFields)
  const category = action.category ?? template?.category
  return (
    <Link
      to={href}
      keepScroll
      className="action-row"
      data-focus-target
      data-testid="action-row"
      data-action-id={action.id}
      data-template={action.template}
      aria-current={current ? "true" : undefined}
    >
      <div className="action-time">
        <time dateTime={new Date(action.occurredAt).toISOString()}>
          {formatTime(action.occurredAt)}
        </time>
        {delayed ? (
          <span
            className="recorded"
            title={`Recorded ${new Date(action.recordedAt).toLocaleString()}`}
          >
            rec. {formatShortDelay(action.occurredAt, action.recordedAt)}
          </span>
        ) : null}
      </div>
      <div className="action-main">
        <div className="action-title">
          <strong>{template?.displayName ?? action.template}</strong>
          {category ? <CategoryBadge category={category} /> : null}
          {template && !template.builtIn ? (
            <span className="badge badge-outline">custom</span>
          ) : null}
        </div>
        <div className="action-meta">
          {touchpoint ? (
            <>
              {touchpoint.name}
              {touchpoint.deleted ? " (deleted)" : ""}
              <span> · {registry.channelPathLabel(action.channelId ?? touchpoint.channelId)}</span>
            </>
          ) : (
            action.touchpointId
          )}
          {summary ? <span> · {summary}</span> : null}
        </div>
      </div>
      <div className="action-side">
        {brand || action.brandId ? <span>{brand?.name ?? action.brandId}</span> : null}
        {showCustomer ? (
          <span
            className={customerName ? "small customer-name" : "mono small"}
            title={action.customerId}
            data-testid="row-customer"
          >
            {customerName ?? action.customerLabel}
          </span>
        ) : null}
      </div>
    </Link>
  )
})

/**
 * The customers' names for the Actions page: one `names.lookup` per loaded page of actions
 * (a page holds at most 500 distinct customers), cached with the page.
 */
const usePageCustomerNames = (
  pages: ReadonlyArray<{ readonly items: ReadonlyArray<{ readonly customerId: string }> }>,
): ReadonlyMap<string, string> => {
  const trpc = useTRPC()
  return useQueries({
    queries: pages.map((p) =>
      trpc.names.lookup.queryOptions(
        {
          customers: [...new Set(p.items.map((i) => i.customerId))]
            .sort()
            .slice(0, NAME_LOOKUP_MAX),
        },
        { staleTime: 60_000 },
      ),
    ),
    combine: mergeNames,
  })
}

// Module-level, so useQueries keeps the merged map while no answer changes (rows stay memoised).
const mergeNames = (
  results: ReadonlyArray<{
    readonly data: { readonly customers: Record<string, string> } | undefined
  }>,
): ReadonlyMap<string, string> => {
  const map = new Map<string, string>()
  for (const r of results)
    if (r.data) for (const [id, name] of Object.entries(r.data.customers)) map.set(id, name)
  return map
}

/**
 * A customer's feed stays current: new actions arrive over the `live.actions` subscription
 * (SSE) and, when they match the filter, are put on top of the cached first page — no refetch
 * of the pages already loaded. A backfill (older than the newest loaded action) refetches.
 * Returns whether the subscription is connected.
 */
const useLiveFeed = (
  customerId: string | undefined,
  filter: ApiFeedFilter,
  registry: Registry,
): boolean => {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const feedKey =
    customerId === undefined
      ? undefined
      : trpc.actions.feed.infiniteQueryKey({
          customer: { id: customerId },
          filter,
          limit: PAGE_SIZE,
        })
  const matches = (action: Parameters<typeof DomainFeed.matchesFilter>[1]) => {
    const channels = filter.channels?.flatMap((c) =>
      DomainRegistry.expandChannel(
        registry.channels as ReadonlyArray<DomainRegistry.Channel>,
        c as Ids.ChannelId,
      ),
    )
    return DomainFeed.matchesFilter(
      { ...(filter as DomainFeed.FeedFilter), ...(channels ? { channels } : {}) },
      action,
    )
  }
  const sub = useSubscription(
    trpc.live.actions.subscriptionOptions(
      customerId === undefined ? skipToken : { customer: { id: customerId } },
      {
        onData: (event) => {
          const msg = event.data
          if (msg.type !== "action" || feedKey === undefined) return
          const action = msg.action
          if (!matches(action)) return
          let backfill = false
          queryClient.setQueryData(feedKey, (old) => {
            const first = old?.pages[0]
            if (!old || !first) return old
            if (old.pages.some((p) => p.items.some((i) => i.id === action.id))) return old
            const top = first.items[0]
            if (
              top &&
              (action.occurredAt < top.occurredAt ||
                (action.occurredAt === top.occurredAt && action.id < top.id))
            ) {
              backfill = true
              return old
            }
            return {
              ...old,
              pages: [{ ...first, items: [action, ...first.items] }, ...old.pages.slice(1)],
            }
          })
          if (backfill) void queryClient.invalidateQueries({ queryKey: feedKey })
        },
      },
    ),
  )
  return customerId !== undefined && sub.status === "pending"
}
