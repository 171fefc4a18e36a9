import { useQuery } from "@tanstack/react-query"
import { useMemo } from "react"
import { useCan, useMe } from "../auth"
import { toActionView } from "../feed/actionView"
import { templateFilterQuery } from "../feed/filterUrl"
import { formatAgo, formatDateTime, formatNumber } from "../format"
import { useRegistry } from "../registry"
import { Link, withQuery } from "../router"
import { useTRPC } from "../trpc"
import { Card, CategoryBadge, Empty, ErrorBox, Loading, PageHeader } from "../ui/common"

/** How many recent actions the "most used" ranking looks at (no statistics procedure yet). */
const SAMPLE = 500

export const DashboardPage = () => {
  const me = useMe()
  const can = useCan()
  return (
    <div className="page">
      <PageHeader
        title={`Hello, ${me.name.split(" ")[0]}`}
        sub="What is happening in the action log."
      />
      {can("actions.view") ? (
        <Activity />
      ) : (
        <Card>
          <Empty title="Nothing to show for your role">
            Your role does not include viewing actions. Use the menu for what you may do.
          </Empty>
        </Card>
      )}
    </div>
  )
}

const Activity = () => {
  const trpc = useTRPC()
  const registry = useRegistry()
  const recent = useQuery(trpc.actions.list.queryOptions({ filter: {}, limit: SAMPLE }))
  const actions = useMemo(() => (recent.data?.items ?? []).map(toActionView), [recent.data])
  const ranking = useMemo(() => {
    const counts = new Map<string, number>()
    for (const a of actions) counts.set(a.template, (counts.get(a.template) ?? 0) + 1)
    return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8)
  }, [actions])
  const customers = useMemo(() => new Set(actions.map((a) => a.customerId)).size, [actions])

  if (recent.isPending) return <Loading />
  if (recent.isError) return <ErrorBox error={recent.error} />
  if (actions.length === 0)
    return (
      <Card>
        <Empty title="No actions yet">
          Actions recorded through the API or by staff show up here.
        </Empty>
      </Card>
    )
  const max = ranking[0]?.[1] ?? 1
  const sampleNote = recent.data.nextCursor
    ? `latest ${formatNumber(SAMPLE)} actions`
    : "all actions"

  return (
    <>
      <div className="grid grid-3">
        <Card>
          <div className="stat">
            <span className="stat-value">{formatNumber(customers)}</span>
            <span className="stat-label">customers active in the {sampleNote}</span>
          </div>
        </Card>
        <Card>
          <div className="stat">
            <span className="stat-value">{formatNumber(registry.templates.length)}</span>
            <span className="stat-label">
              templates, {registry.templates.filter((t) => !t.builtIn).length} of them custom
            </span>
          </div>
        </Card>
        <Card>
          <div className="stat">
            <span className="stat-value">
              {formatNumber(registry.touchpoints.filter((t) => !t.deleted).length)}
            </span>
            <span className="stat-label">
              touchpoints in {formatNumber(registry.channels.length)} channels
            </span>
          </div>
        </Card>
      </div>
      <div className="grid grid-2" style={{ alignItems: "start" }}>
        <Card
          title="Recent activity"
          actions={<Link to="/actions">All actions →</Link>}
          body={false}
        >
          <table className="table" data-testid="recent-activity">
            <tbody>
              {actions.slice(0, 12).map((a) => {
                const t = registry.template(a.template)
                return (
                  <tr key={a.id}>
                    <td>
                      <Link to={withQuery("/actions", new URLSearchParams({ action: a.id }))}>
                        {t?.displayName ?? a.template}
                      </Link>{" "}
                      {t ? <CategoryBadge category={t.category} /> : null}
                      <div className="small muted">
                        <Link
                          to={`/customers/${encodeURIComponent(a.customerId)}`}
                          className="mono"
                        >
                          {a.customerId}
                        </Link>
                      </div>
                    </td>
                    <td className="small muted nowrap num" title={formatDateTime(a.occurredAt)}>
                      {formatAgo(a.occurredAt)}
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </Card>
        <Card
          title={`Most used templates`}
          actions={<span className="small muted">in the {sampleNote}</span>}
        >
          <div className="bars">
            {ranking.map(([name, n]) => (
              <div className="bar-row" key={name}>
                <Link to={`/actions?${templateFilterQuery(name)}`}>
                  {registry.template(name)?.displayName ?? name}
                </Link>
                <div className="bar-track">
                  <div className="bar-fill" style={{ width: `${(n / max) * 100}%` }} />
                </div>
                <span className="num small">{formatNumber(n)}</span>
              </div>
            ))}
          </div>
        </Card>
      </div>
    </>
  )
}
