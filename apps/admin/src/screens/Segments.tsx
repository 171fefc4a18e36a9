/** Segments: a small editor of "has / has not done X at least N times in the last D days". */
import { keepPreviousData, useQuery } from "@tanstack/react-query"
import { useState } from "react"
import { formatDate } from "../format"
import { useRegistry } from "../registry"
import { Link } from "../router"
import { type RouterInputs, useTRPC } from "../trpc"
import { Card, Empty, ErrorBox, Loading, PageHeader, TemplateOptions } from "../ui/common"

type SegmentInput = RouterInputs["segments"]["count"]["segment"]

interface Condition {
  readonly has: boolean
  readonly template: string
  readonly minCount: string
  readonly lastDays: string
}

const blank = (template: string): Condition => ({
  has: true,
  template,
  minCount: "1",
  lastDays: "30",
})

/** The editor's rows as a domain segment; `undefined` while a row is incomplete. */
const toSegment = (
  conditions: ReadonlyArray<Condition>,
  op: "And" | "Or",
): SegmentInput | undefined => {
  const parts: Array<SegmentInput> = []
  for (const c of conditions) {
    const min = Number(c.minCount)
    const days = c.lastDays.trim() === "" ? undefined : Number(c.lastDays)
    if (!c.template || !Number.isInteger(min) || min < 1) return undefined
    if (days !== undefined && (!Number.isInteger(days) || days < 1)) return undefined
    const has = {
      _tag: "HasActions" as const,
      templates: [c.template],
      minCount: min,
      ...(days !== undefined ? { window: { lastDays: days } } : {}),
    } as SegmentInput
    parts.push(c.has ? has : ({ _tag: "Not", of: has } as SegmentInput))
  }
  if (parts.length === 0) return undefined
  return parts.length === 1 ? parts[0] : ({ _tag: op, of: parts } as SegmentInput)
}

export const SegmentsPage = () => {
  const trpc = useTRPC()
  const registry = useRegistry()
  const first = registry.templates[0]?.systemName ?? ""
  const [conditions, setConditions] = useState<ReadonlyArray<Condition>>([])
  const [op, setOp] = useState<"And" | "Or">("And")
  const [applied, setApplied] = useState<SegmentInput | undefined>(undefined)
  const rows = conditions.length > 0 ? conditions : [blank(first)]
  const segment = toSegment(rows, op)
  const update = (i: number, patch: Partial<Condition>) =>
    setConditions(rows.map((c, j) => (j === i ? { ...c, ...patch } : c)))

  const count = useQuery(
    trpc.segments.count.queryOptions(
      { segment: applied as SegmentInput },
      { enabled: applied !== undefined, placeholderData: keepPreviousData },
    ),
  )
  const list = useQuery(
    trpc.segments.list.queryOptions(
      { segment: applied as SegmentInput, limit: 50 },
      { enabled: applied !== undefined, placeholderData: keepPreviousData },
    ),
  )

  return (
    <div className="page">
      <PageHeader
        title="Segments"
        sub="Customers by what they did: combine conditions with AND or OR. Evaluated now, on event time."
      />
      <Card title="Conditions" testId="segment-editor">
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault()
            if (segment) setApplied(segment)
          }}
        >
          {rows.map((c, i) => (
            <div
              key={i}
              data-testid="segment-condition"
              // One sentence per condition, wrapping on narrow screens.
              style={{ display: "flex", flexWrap: "wrap", gap: 8, alignItems: "center" }}
            >
              {i > 0 ? <span className="muted">{op === "And" ? "and" : "or"}</span> : null}
              <select
                className="input"
                style={{ width: "auto" }}
                aria-label="Has or has not"
                value={c.has ? "has" : "not"}
                onChange={(e) => update(i, { has: e.target.value === "has" })}
              >
                <option value="has">has done</option>
                <option value="not">has not done</option>
              </select>
              <select
                className="input"
                style={{ width: "auto" }}
                aria-label="Template"
                value={c.template}
                onChange={(e) => update(i, { template: e.target.value })}
              >
                <TemplateOptions templates={registry.templates} />
              </select>
              <label className="small muted">at least</label>
              <input
                className="input"
                aria-label="At least times"
                type="number"
                min={1}
                style={{ width: 90 }}
                value={c.minCount}
                onChange={(e) => update(i, { minCount: e.target.value })}
              />
              <label className="small muted">times in the last</label>
              <input
                className="input"
                aria-label="Last days"
                type="number"
                min={1}
                placeholder="any"
                style={{ width: 90 }}
                value={c.lastDays}
                onChange={(e) => update(i, { lastDays: e.target.value })}
              />
              <label className="small muted">days</label>
              {rows.length > 1 ? (
                <button
                  type="button"
                  className="btn btn-ghost btn-sm"
                  aria-label="Remove condition"
                  onClick={() => setConditions(rows.filter((_, j) => j !== i))}
                >
                  ✕
                </button>
              ) : null}
            </div>
          ))}
          <div className="toolbar">
            <button
              type="button"
              className="btn"
              onClick={() => setConditions([...rows, blank(first)])}
            >
              Add condition
            </button>
            <select
              className="input"
              aria-label="Combine with"
              style={{ width: "auto" }}
              value={op}
              onChange={(e) => setOp(e.target.value === "Or" ? "Or" : "And")}
            >
              <option value="And">all conditions (AND)</option>
              <option value="Or">any condition (OR)</option>
            </select>
            <button type="submit" className="btn btn-primary" disabled={!segment}>
              Show customers
            </button>
          </div>
        </form>
      </Card>
      {applied === undefined ? null : count.isError ? (
        <ErrorBox error={count.error} />
      ) : list.isError ? (
        <ErrorBox error={list.error} />
      ) : count.isPending || list.isPending ? (
        <Loading label="Evaluating…" />
      ) : (
        <Card
          title={
            <span data-testid="segment-count">
              {count.data} customer{count.data === 1 ? "" : "s"}
            </span>
          }
          body={false}
          testId="segment-results"
        >
          {list.data.items.length === 0 ? (
            <Empty title="No customers match" />
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th>Customer</th>
                  <th>Identifiers</th>
                  <th>Since</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((m) => (
                  <tr key={m.id}>
                    <td>
                      <Link className="mono" to={`/customers/${encodeURIComponent(m.id)}`}>
                        {m.id}
                      </Link>
                    </td>
                    <td>{m.identifiers.map((x) => `${x.kind}: ${x.value}`).join(" · ")}</td>
                    <td>{formatDate(m.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {list.data.next ? (
            <div className="card-body muted small">Showing the first {list.data.items.length}.</div>
          ) : null}
        </Card>
      )}
    </div>
  )
}
