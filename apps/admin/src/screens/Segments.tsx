/**
 * Segments: an editor of "has / has not done X at least N times in the last D days", kept in
 * the URL (shareable, survives a reload), and saved segments — named, renamed, deleted, and
 * evaluated against their previous evaluation ("entered / left since").
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query"
import { useEffect, useState } from "react"
import { createPortal } from "react-dom"
import { useCan } from "../auth"
import { formatDate, formatDateTime, formatNumber } from "../format"
import { NameRef, useNames } from "../names"
import { useRegistry } from "../registry"
import { Link, useSearchParams } from "../router"
import { type RouterInputs, type RouterOutputs, useTRPC, useTRPCClient } from "../trpc"
import {
  Card,
  Empty,
  ErrorBox,
  Field,
  FormActions,
  Loading,
  Modal,
  PageHeader,
  TemplateOptions,
} from "../ui/common"
import {
  blankCondition,
  type Condition,
  describeCondition,
  type EditorState,
  fromSegment,
  readEditor,
  writeEditor,
} from "./segmentUrl"

type SegmentInput = RouterInputs["segments"]["count"]["segment"]
type Saved = RouterOutputs["segments"]["saved"][number]
type Evaluation = RouterOutputs["segments"]["evaluate"]

/** The editor's rows as a domain segment; `undefined` while a row is incomplete. */
const toSegment = (state: EditorState): SegmentInput | undefined => {
  const parts: Array<SegmentInput> = []
  for (const c of state.conditions) {
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
  return parts.length === 1 ? parts[0] : ({ _tag: state.op, of: parts } as SegmentInput)
}

const sameState = (a: EditorState | undefined, b: EditorState | undefined) =>
  JSON.stringify(a && writeEditor(new URLSearchParams(), a).toString()) ===
  JSON.stringify(b && writeEditor(new URLSearchParams(), b).toString())

export const SegmentsPage = () => {
  const trpc = useTRPC()
  const registry = useRegistry()
  const can = useCan()
  const [params, setParams] = useSearchParams()
  const first = registry.templates[0]?.systemName ?? ""
  const applied = readEditor(params)
  const savedId = params.get("saved") ?? undefined
  const [draft, setDraft] = useState<EditorState>(
    () => applied ?? { op: "And", conditions: [blankCondition(first)] },
  )
  // A link to another definition (a saved segment, back / forward) replaces the draft.
  const appliedKey = params.getAll("c").join("|") + (params.get("op") ?? "")
  useEffect(() => {
    if (applied) setDraft(applied)
    // eslint-disable-next-line react-hooks/exhaustive-deps -- follows the URL's definition only
  }, [appliedKey])
  const rows = draft.conditions.length > 0 ? draft.conditions : [blankCondition(first)]
  const state: EditorState = { op: draft.op, conditions: rows }
  const segment = toSegment(state)
  const appliedSegment = applied ? toSegment(applied) : undefined
  const update = (i: number, patch: Partial<Condition>) =>
    setDraft({ ...state, conditions: rows.map((c, j) => (j === i ? { ...c, ...patch } : c)) })
  const templateName = (t: string) => registry.template(t)?.displayName ?? t

  const saved = useQuery(trpc.segments.saved.queryOptions())
  const current = saved.data?.find((s) => s.id === savedId)

  const count = useQuery(
    trpc.segments.count.queryOptions(
      { segment: appliedSegment as SegmentInput },
      { enabled: appliedSegment !== undefined, placeholderData: keepPreviousData },
    ),
  )
  const list = useQuery(
    trpc.segments.list.queryOptions(
      { segment: appliedSegment as SegmentInput, limit: 50 },
      { enabled: appliedSegment !== undefined, placeholderData: keepPreviousData },
    ),
  )
  const names = useNames({ customers: list.data?.items.map((m) => m.id) ?? [] })

  const show = (next: EditorState, keepSaved: string | undefined) => {
    const out = writeEditor(new URLSearchParams(), next)
    if (keepSaved) out.set("saved", keepSaved)
    setParams(out, { replace: false, keepScroll: true })
  }

  return (
    <div className="page">
      <PageHeader
        title="Segments"
        sub="Customers by what they did: combine conditions with AND or OR. Evaluated now, on event time. The definition is in the address: share the link."
      />
      <div className="segments-layout">
        <SavedList
          saved={saved.data}
          error={saved.error}
          currentId={savedId}
          templateName={templateName}
        />
        <div style={{ display: "flex", flexDirection: "column", gap: 16, minWidth: 0 }}>
          <Card
            title={current ? `Segment “${current.name}”` : "Conditions"}
            testId="segment-editor"
            actions={
              current && can("segments.manage") ? (
                <SavedActions
                  saved={current}
                  draft={segment}
                  onDeleted={() => setParams(new URLSearchParams(), { replace: false })}
                />
              ) : null
            }
          >
            <form
              className="form"
              onSubmit={(e) => {
                e.preventDefault()
                if (segment) show(state, savedId)
              }}
            >
              {rows.map((c, i) => {
                const n = Number(c.minCount)
                return (
                  <div key={i} data-testid="segment-condition" className="segment-condition">
                    {i > 0 ? (
                      <span className="muted">{state.op === "And" ? "and" : "or"}</span>
                    ) : null}
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
                    <span className="small muted">at least</span>
                    <input
                      className="input"
                      aria-label="At least times"
                      type="number"
                      min={1}
                      style={{ width: 90 }}
                      value={c.minCount}
                      onChange={(e) => update(i, { minCount: e.target.value })}
                    />
                    <span className="small muted">{n === 1 ? "time" : "times"} in the last</span>
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
                    <span className="small muted">days</span>
                    {rows.length > 1 ? (
                      <button
                        type="button"
                        className="btn btn-ghost btn-sm"
                        aria-label="Remove condition"
                        onClick={() =>
                          setDraft({ ...state, conditions: rows.filter((_, j) => j !== i) })
                        }
                      >
                        ✕
                      </button>
                    ) : null}
                  </div>
                )
              })}
              <p className="small" data-testid="segment-summary">
                Customers who{" "}
                {rows
                  .map((c) => describeCondition(c, templateName, "have"))
                  .join(state.op === "And" ? ", and " : ", or ")}
                .
              </p>
              <div className="toolbar">
                <button
                  type="button"
                  className="btn"
                  onClick={() =>
                    setDraft({ ...state, conditions: [...rows, blankCondition(first)] })
                  }
                >
                  Add condition
                </button>
                <select
                  className="input"
                  aria-label="Combine with"
                  style={{ width: "auto" }}
                  value={state.op}
                  onChange={(e) =>
                    setDraft({ ...state, op: e.target.value === "Or" ? "Or" : "And" })
                  }
                >
                  <option value="And">all conditions (AND)</option>
                  <option value="Or">any condition (OR)</option>
                </select>
                <button type="submit" className="btn btn-primary" disabled={!segment}>
                  Show customers
                </button>
                {can("segments.manage") && segment && !current ? (
                  <SaveAs segment={segment} onSaved={(s) => show(state, s.id)} />
                ) : null}
                {current && !sameState(applied, state) ? (
                  <span className="small muted">Changed — “Show customers” to see the result.</span>
                ) : null}
              </div>
            </form>
          </Card>
          {current ? <EvaluationCard saved={current} /> : null}
          {appliedSegment === undefined ? null : count.isError ? (
            <ErrorBox error={count.error} />
          ) : list.isError ? (
            <ErrorBox error={list.error} />
          ) : count.isPending || list.isPending ? (
            <Loading label="Evaluating…" />
          ) : (
            <Card
              title={
                <span data-testid="segment-count">
                  {formatNumber(count.data)} customer{count.data === 1 ? "" : "s"}
                </span>
              }
              actions={<ExportMembers segment={appliedSegment} />}
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
                      <th>Customer since</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.data.items.map((m) => (
                      <tr key={m.id}>
                        <td>
                          <Link to={`/customers/${encodeURIComponent(m.id)}`} title={m.id}>
                            {names.customer(m.id) ?? m.id}
                          </Link>
                        </td>
                        <td className="small">
                          {m.identifiers.map((x) => `${x.kind}: ${x.value}`).join(" · ")}
                        </td>
                        <td className="small">{formatDate(m.createdAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {list.data.next ? (
                <div className="card-body muted small">
                  Showing the first {list.data.items.length}; download the members for all.
                </div>
              ) : null}
            </Card>
          )}
        </div>
      </div>
    </div>
  )
}

const SavedList = ({
  saved,
  error,
  currentId,
  templateName,
}: {
  readonly saved: ReadonlyArray<Saved> | undefined
  readonly error: unknown
  readonly currentId: string | undefined
  readonly templateName: (t: string) => string
}) => (
  <Card title="Saved segments" testId="saved-segments" body={false}>
    {error ? (
      <div className="card-body">
        <ErrorBox error={error} />
      </div>
    ) : saved === undefined ? (
      <Loading />
    ) : saved.length === 0 ? (
      <div className="card-body small muted">None yet. Build one and press “Save as…”.</div>
    ) : (
      <ul className="saved-list">
        {saved.map((s) => {
          const state = fromSegment(s.segment as never)
          const qs = state ? writeEditor(new URLSearchParams(), state) : new URLSearchParams()
          qs.set("saved", s.id)
          return (
            <li key={s.id}>
              <Link
                to={`/segments?${qs.toString()}`}
                aria-current={s.id === currentId ? "true" : undefined}
                title={
                  state
                    ? state.conditions.map((c) => describeCondition(c, templateName)).join("; ")
                    : ""
                }
              >
                {s.name}
              </Link>
              <span className="small muted">
                {s.memberCount === null
                  ? "not evaluated yet"
                  : `${formatNumber(s.memberCount)} on ${formatDate(s.evaluatedAt ?? 0)}`}
              </span>
            </li>
          )
        })}
      </ul>
    )}
  </Card>
)

const SaveAs = ({
  segment,
  onSaved,
}: {
  readonly segment: SegmentInput
  readonly onSaved: (s: Saved) => void
}) => {
  const trpc = useTRPC()
  const qc = useQueryClient()
  const [open, setOpen] = useState(false)
  const [name, setName] = useState("")
  const save = useMutation(
    trpc.segments.save.mutationOptions({
      onSuccess: (s) => {
        void qc.invalidateQueries(trpc.segments.saved.queryFilter())
        setOpen(false)
        onSaved(s)
      },
    }),
  )
  return (
    <>
      <button type="button" className="btn" onClick={() => setOpen(true)}>
        Save as…
      </button>
      {/* Portalled: the button sits inside the editor's form, and forms cannot nest. */}
      {open
        ? createPortal(
            <Modal title="Save segment" onClose={() => setOpen(false)}>
              <form
                className="form"
                onSubmit={(e) => {
                  e.preventDefault()
                  save.mutate({ name: name.trim(), segment })
                }}
              >
                <Field label="Segment name">
                  {(id) => (
                    <input
                      id={id}
                      className="input"
                      value={name}
                      maxLength={200}
                      onChange={(e) => setName(e.target.value)}
                    />
                  )}
                </Field>
                {save.error ? <ErrorBox error={save.error} /> : null}
                <FormActions
                  onCancel={() => setOpen(false)}
                  submitLabel="Save"
                  disabled={save.isPending || name.trim() === ""}
                />
              </form>
            </Modal>,
            document.body,
          )
        : null}
    </>
  )
}

const SavedActions = ({
  saved,
  draft,
  onDeleted,
}: {
  readonly saved: Saved
  readonly draft: SegmentInput | undefined
  readonly onDeleted: () => void
}) => {
  const trpc = useTRPC()
  const qc = useQueryClient()
  const [dialog, setDialog] = useState<"rename" | "delete" | null>(null)
  const [name, setName] = useState(saved.name)
  const refresh = () => void qc.invalidateQueries(trpc.segments.saved.queryFilter())
  const update = useMutation(
    trpc.segments.update.mutationOptions({
      onSuccess: () => {
        refresh()
        setDialog(null)
      },
    }),
  )
  const remove = useMutation(
    trpc.segments.remove.mutationOptions({
      onSuccess: () => {
        refresh()
        setDialog(null)
        onDeleted()
      },
    }),
  )
  const changed = draft !== undefined && JSON.stringify(draft) !== JSON.stringify(saved.segment)
  return (
    <div className="toolbar">
      {changed ? (
        <button
          type="button"
          className="btn btn-sm btn-primary"
          disabled={update.isPending}
          onClick={() => update.mutate({ id: saved.id, segment: draft })}
        >
          Save changes
        </button>
      ) : null}
      <button
        type="button"
        className="btn btn-sm"
        onClick={() => {
          setName(saved.name)
          setDialog("rename")
        }}
      >
        Rename
      </button>
      <button type="button" className="btn btn-sm btn-danger" onClick={() => setDialog("delete")}>
        Delete
      </button>
      {update.error && dialog === null ? <ErrorBox error={update.error} /> : null}
      {dialog === "rename" ? (
        <Modal title="Rename segment" onClose={() => setDialog(null)}>
          <form
            className="form"
            onSubmit={(e) => {
              e.preventDefault()
              update.mutate({ id: saved.id, name: name.trim() })
            }}
          >
            <Field label="Segment name">
              {(id) => (
                <input
                  id={id}
                  className="input"
                  value={name}
                  maxLength={200}
                  onChange={(e) => setName(e.target.value)}
                />
              )}
            </Field>
            {update.error ? <ErrorBox error={update.error} /> : null}
            <FormActions
              onCancel={() => setDialog(null)}
              submitLabel="Rename"
              disabled={update.isPending || name.trim() === ""}
            />
          </form>
        </Modal>
      ) : null}
      {dialog === "delete" ? (
        <Modal title="Delete segment" onClose={() => setDialog(null)}>
          <form
            className="form"
            onSubmit={(e) => {
              e.preventDefault()
              remove.mutate({ id: saved.id })
            }}
          >
            <p>
              Delete the saved segment “{saved.name}”? Its customers and their actions stay; only
              the saved definition and its last evaluation go.
            </p>
            {remove.error ? <ErrorBox error={remove.error} /> : null}
            <FormActions
              onCancel={() => setDialog(null)}
              submitLabel="Delete segment"
              disabled={remove.isPending}
              danger
            />
          </form>
        </Modal>
      ) : null}
    </div>
  )
}

/** "Who entered / left since the last evaluation" of a saved segment. */
const EvaluationCard = ({ saved }: { readonly saved: Saved }) => {
  const trpc = useTRPC()
  const qc = useQueryClient()
  const [result, setResult] = useState<Evaluation | undefined>(undefined)
  const evaluate = useMutation(
    trpc.segments.evaluate.mutationOptions({
      onSuccess: (r) => {
        setResult(r)
        // The count and list shown below are "now" too: refresh them with the evaluation.
        void qc.invalidateQueries(trpc.segments.saved.queryFilter())
        void qc.invalidateQueries(trpc.segments.count.queryFilter())
        void qc.invalidateQueries(trpc.segments.list.queryFilter())
      },
    }),
  )
  const mine = result?.saved.id === saved.id ? result : undefined
  const names = useNames({ customers: [...(mine?.entered.ids ?? []), ...(mine?.left.ids ?? [])] })
  const people = (ids: ReadonlyArray<string>, total: number) =>
    ids.length === 0 ? null : (
      <ul className="inline-list">
        {ids.map((id) => (
          <li key={id}>
            <Link to={`/customers/${encodeURIComponent(id)}`}>
              <NameRef id={id} name={names.customer(id)} />
            </Link>
          </li>
        ))}
        {total > ids.length ? (
          <li className="muted">and {formatNumber(total - ids.length)} more</li>
        ) : null}
      </ul>
    )
  return (
    <Card
      title="Changes since the last evaluation"
      testId="segment-evaluation"
      actions={
        <button
          type="button"
          className="btn btn-sm btn-primary"
          disabled={evaluate.isPending}
          onClick={() => evaluate.mutate({ id: saved.id })}
        >
          {evaluate.isPending ? "Evaluating…" : "Evaluate now"}
        </button>
      }
    >
      {evaluate.error ? <ErrorBox error={evaluate.error} /> : null}
      {mine ? (
        <div className="small" data-testid="evaluation-result">
          <p>
            <strong>{formatNumber(mine.count)}</strong> members now.{" "}
            {mine.since === null
              ? "First evaluation: the next one will show who entered and who left."
              : `Since ${formatDateTime(mine.since)}:`}
          </p>
          {mine.since !== null ? (
            <>
              <p data-testid="evaluation-entered">
                <strong>{formatNumber(mine.entered.count)} entered</strong>
              </p>
              {people(mine.entered.ids, mine.entered.count)}
              <p data-testid="evaluation-left">
                <strong>{formatNumber(mine.left.count)} left</strong>
              </p>
              {people(mine.left.ids, mine.left.count)}
            </>
          ) : null}
        </div>
      ) : (
        <p className="small muted">
          {saved.evaluatedAt === null
            ? "Not evaluated yet. Evaluate to remember today's members; the next evaluation lists who entered and who left."
            : `Last evaluated ${formatDateTime(saved.evaluatedAt)} with ${formatNumber(saved.memberCount ?? 0)} members.`}
        </p>
      )}
    </Card>
  )
}

const csvCell = (v: string) => `"${v.replace(/"/g, '""')}"`

/** Every member as CSV (id, name, identifiers), fetched page by page. */
const ExportMembers = ({ segment }: { readonly segment: SegmentInput }) => {
  const client = useTRPCClient()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const run = async () => {
    setBusy(true)
    setError(undefined)
    try {
      const lines = ["id,name,identifiers"]
      let after: string | undefined
      do {
        const page = await client.segments.list.query({
          segment,
          limit: 500,
          ...(after ? { after } : {}),
        })
        const names = await client.names.lookup.query({ customers: page.items.map((m) => m.id) })
        for (const m of page.items)
          lines.push(
            [
              m.id,
              names.customers[m.id] ?? "",
              m.identifiers.map((x) => `${x.kind}:${x.value}`).join(" "),
            ]
              .map(csvCell)
              .join(","),
          )
        after = page.next
      } while (after)
      const url = URL.createObjectURL(new Blob([lines.join("\n") + "\n"], { type: "text/csv" }))
      const a = document.createElement("a")
      a.href = url
      a.download = "segment-members.csv"
      a.click()
      setTimeout(() => URL.revokeObjectURL(url), 10_000)
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <span className="toolbar">
      {error ? <span className="error-text small">Download failed</span> : null}
      <button type="button" className="btn btn-sm" disabled={busy} onClick={() => void run()}>
        {busy ? "Preparing…" : "Download members (CSV)"}
      </button>
    </span>
  )
}
