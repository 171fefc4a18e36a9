import { useQuery } from "@tanstack/react-query"
import { useMemo, useState } from "react"
import { useCan, useMe } from "../auth"
import { toActionView } from "../feed/actionView"
import { templateFilterQuery } from "../feed/filterUrl"
import { formatAgo, formatDateTime, formatNumber } from "../format"
import { useRegistry } from "../registry"
import { Link, withQuery } from "../router"
import { useTRPC } from "../trpc"
import { useNames } from "../names"
import { Card, CategoryBadge, Empty, ErrorBox, Loading, PageHeader } from "../ui/common"
import { type Series, StackedBars } from "../ui/StackedBars"

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

/** Rows of the recent-activity table. */
const RECENT = 12

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
  const names = useNames({ customers: actions.slice(0, RECENT).map((a) => a.customerId) })

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
      <ActivityChart />
      <div className="grid grid-2" style={{ alignItems: "start" }}>
        <Card
          title="Recent activity"
          actions={<Link to="/actions">All actions →</Link>}
          body={false}
        >
          <table className="table" data-testid="recent-activity">
            <tbody>
              {actions.slice(0, RECENT).map((a) => {
                const t = registry.template(a.template)
                return (
                  <tr key={a.id}>
                    <td>
                      <Link to={withQuery("/actions", new URLSearchParams({ action: a.id }))}>
                        {t?.displayName ?? a.template}
                      </Link>{" "}
                      {t ? <CategoryBadge category={t.category} /> : null}
                      <div className="small muted">
                        {registry.touchpoint(a.touchpointId)?.name ?? a.touchpointId} ·{" "}
                        <Link
                          to={`/customers/${encodeURIComponent(a.customerId)}`}
                          title={a.customerId}
                          data-testid="recent-customer"
                        >
                          {names.customer(a.customerId) ?? a.customerId}
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

type Dimension = "category" | "channel" | "brand" | "template"
const DAYS = 30
const MAX_SERIES = 7

/** Actions per day over the last 30 days, stacked by category, channel, brand or template. */
const ActivityChart = () => {
  const trpc = useTRPC()
  const registry = useRegistry()
  const [by, setBy] = useState<Dimension>("category")
  // Whole UTC days, so the buckets are stable for the cache within a day.
  const [range] = useState(() => {
    const to = Math.ceil(Date.now() / 86_400_000) * 86_400_000
    return { from: to - DAYS * 86_400_000, to }
  })
  const stats = useQuery(trpc.stats.actionsPerDay.queryOptions({ by, bucket: "day", ...range }))
  const label = (key: string): string => {
    if (by === "category")
      return key === "personal" ? "Personal" : key === "system" ? "System" : key
    if (by === "channel") return registry.channel(key)?.name ?? key
    if (by === "brand") return registry.brand(key)?.name ?? key
    return registry.template(key)?.displayName ?? key
  }
  const series = useMemo((): ReadonlyArray<Series> => {
    if (!stats.data) return []
    const sorted = [...stats.data.series].sort((a, b) => b.total - a.total)
    const top = sorted.slice(0, MAX_SERIES)
    const rest = sorted.slice(MAX_SERIES)
    const out: Array<Series> = top.map((s) => ({ key: s.key, label: "", counts: s.counts }))
    if (rest.length > 0)
      out.push({
        key: "__other",
        label: `${rest.length} more`,
        counts: stats.data.buckets.map((_, i) => rest.reduce((n, s) => n + (s.counts[i] ?? 0), 0)),
      })
    return out
  }, [stats.data])
  return (
    <Card
      title="Actions per day · last 30 days"
      testId="activity-chart"
      actions={
        <select
          className="select"
          style={{ width: 150 }}
          aria-label="Group by"
          value={by}
          onChange={(e) => setBy(e.target.value as Dimension)}
        >
          <option value="category">by category</option>
          <option value="channel">by channel</option>
          <option value="brand">by brand</option>
          <option value="template">by template</option>
        </select>
      }
    >
      {stats.isPending ? (
        <Loading />
      ) : stats.isError ? (
        <ErrorBox error={stats.error} />
      ) : (
        <StackedBars
          buckets={stats.data.buckets}
          series={series.map((s) => (s.key === "__other" ? s : { ...s, label: label(s.key) }))}
        />
      )}
    </Card>
  )
}
