import { useInfiniteQuery } from "@tanstack/react-query"
import { useState } from "react"
import { formatDateTime } from "../format"
import { useTRPC, useTRPCClient } from "../trpc"
import { Badge, Card, Empty, ErrorBox, Loading, PageHeader } from "../ui/common"
import { ChangesView } from "../ui/Changes"
import { NameRef, useNames } from "../names"
import { Link } from "../router"

const PAGE = 100

export const AuditPage = () => {
  const trpc = useTRPC()
  const client = useTRPCClient()
  const [action, setAction] = useState("")
  const [targetType, setTargetType] = useState("")
  const input = {
    limit: PAGE,
    ...(action.trim() ? { action: action.trim() } : {}),
    ...(targetType.trim() ? { targetType: targetType.trim() } : {}),
  }
  const log = useInfiniteQuery({
    queryKey: [...trpc.audit.list.queryKey(input), "infinite"],
    // `audit.list` pages with `before` (not `cursor`), so the query is built by hand.
    queryFn: ({ pageParam, signal }) =>
      client.audit.list.query(
        { ...input, ...(pageParam ? { before: pageParam } : {}) },
        { signal },
      ),
    initialPageParam: 0,
    getNextPageParam: (last) => last.next ?? undefined,
  })
  const entries = log.data?.pages.flatMap((p) => p.entries) ?? []
  // One lookup for the targets of the newest page; older pages fall back to ids until loaded.
  const targets = (type: string) =>
    entries.flatMap((e) => (e.targetType === type && e.targetId ? [e.targetId] : [])).slice(0, 500)
  const names = useNames({
    customers: targets("customer"),
    staff: [
      ...targets("staff"),
      ...entries.flatMap((e) => (e.actor.kind === "staff" && e.actor.id ? [e.actor.id] : [])),
    ],
    apiKeys: [
      ...targets("apiKey"),
      ...entries.flatMap((e) => (e.actor.kind === "apiKey" && e.actor.id ? [e.actor.id] : [])),
    ],
  })
  const targetName = (type: string, id: string) =>
    type === "customer"
      ? names.customer(id)
      : type === "staff"
        ? names.staff(id)
        : type === "apiKey"
          ? names.apiKey(id)
          : undefined
  return (
    <div className="page">
      <PageHeader
        title="Audit log"
        sub="Every staff and API change to configuration and customers. Append-only."
      />
      <div className="toolbar">
        <input
          className="input"
          style={{ width: 220 }}
          placeholder="Operation, e.g. templates.create"
          aria-label="Filter by operation"
          value={action}
          onChange={(e) => setAction(e.target.value)}
        />
        <input
          className="input"
          style={{ width: 180 }}
          placeholder="Target type, e.g. customer"
          aria-label="Filter by target type"
          value={targetType}
          onChange={(e) => setTargetType(e.target.value)}
        />
      </div>
      <Card body={false}>
        {log.isPending ? (
          <Loading />
        ) : log.isError ? (
          <div className="card-body">
            <ErrorBox error={log.error} />
          </div>
        ) : entries.length === 0 ? (
          <Empty title="No entries" />
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                <th>Operation</th>
                <th>Target</th>
                <th>Changes</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.seq}>
                  <td className="small nowrap">{formatDateTime(e.at)}</td>
                  <td className="small">
                    {(e.actor.id &&
                      (e.actor.kind === "staff"
                        ? names.staff(e.actor.id)
                        : e.actor.kind === "apiKey"
                          ? names.apiKey(e.actor.id)
                          : undefined)) ||
                      e.actor.label}
                    {e.ip ? <div className="muted">{e.ip}</div> : null}
                  </td>
                  <td>
                    <Badge tone="accent">{e.action}</Badge>
                  </td>
                  <td className="small" data-testid="audit-target">
                    {e.targetType}
                    {e.targetId ? (
                      <div>
                        {e.targetType === "customer" ? (
                          <Link to={`/customers/${encodeURIComponent(e.targetId)}`}>
                            <NameRef id={e.targetId} name={targetName(e.targetType, e.targetId)} />
                          </Link>
                        ) : (
                          <NameRef
                            id={e.targetId}
                            name={targetName(e.targetType, e.targetId)}
                            className={targetName(e.targetType, e.targetId) ? "" : "mono muted"}
                          />
                        )}
                      </div>
                    ) : null}
                  </td>
                  <td>
                    <ChangesView changes={e.changes} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {log.hasNextPage ? (
          <div className="card-body" style={{ textAlign: "center" }}>
            <button
              type="button"
              className="btn"
              disabled={log.isFetchingNextPage}
              onClick={() => void log.fetchNextPage()}
            >
              {log.isFetchingNextPage ? "Loading…" : "Load older entries"}
            </button>
          </div>
        ) : null}
      </Card>
    </div>
  )
}
