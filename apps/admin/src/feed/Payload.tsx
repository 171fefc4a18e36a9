/** Renders any JSON payload readably: nested key/value lists, arrays of rows, diffs. */
import { formatDateTime, formatMoney } from "../format"

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v)

// Field names that hold epoch milliseconds or ISO date-times are shown as dates.
const TIME_KEY = /(At|Time|Date|_at)$/
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/

const humanKey = (k: string): string =>
  k
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/_/g, " ")
    .replace(/^./, (c) => c.toUpperCase())

// Amounts: shown in the currency of the object that holds them (an order and its lines).
const MONEY_KEY = /^(price|unitPrice|total|subtotal|discount|shipping|tax|amount|value)$/

const Scalar = ({
  name,
  value,
  currency,
}: {
  readonly name: string
  readonly value: unknown
  readonly currency: string | undefined
}) => {
  if (value === null || value === undefined) return <span className="muted">—</span>
  if (typeof value === "boolean") return <span>{value ? "yes" : "no"}</span>
  if (typeof value === "number" && currency && MONEY_KEY.test(name))
    return (
      <span className="num" data-money>
        {formatMoney(value, currency)}
      </span>
    )
  if (typeof value === "number") {
    if (TIME_KEY.test(name) && value > 1e11 && value < 1e14)
      return <span title={String(value)}>{formatDateTime(value)}</span>
    return <span className="mono">{value}</span>
  }
  if (typeof value === "string") {
    if (ISO_RE.test(value) && !Number.isNaN(Date.parse(value)))
      return <span title={value}>{formatDateTime(value)}</span>
    return <span>{value}</span>
  }
  return <code>{JSON.stringify(value)}</code>
}

/** A field-level change `{ field, before, after }` (ProfileEdited / ProfileCorrected). */
const isChange = (v: unknown): v is { field: string; before?: unknown; after?: unknown } =>
  isPlainObject(v) && typeof v.field === "string" && ("before" in v || "after" in v)

const show = (v: unknown): string =>
  v === undefined || v === null ? "∅" : typeof v === "string" ? v : JSON.stringify(v)

const Value = ({
  name,
  value,
  depth,
  currency,
}: {
  readonly name: string
  readonly value: unknown
  readonly depth: number
  readonly currency?: string | undefined
}) => {
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">none</span>
    if (value.every(isChange))
      return (
        <div className="kv">
          {value.map((c, i) => (
            <Pair key={i} k={c.field}>
              <span className="diff-old">{show(c.before)}</span> →{" "}
              <span className="diff-new">{show(c.after)}</span>
            </Pair>
          ))}
        </div>
      )
    if (value.every((x) => !isPlainObject(x) && !Array.isArray(x)))
      return <span>{value.map((x) => show(x)).join(", ")}</span>
    return (
      <div style={{ display: "flex", flexDirection: "column", gap: 6 }}>
        {value.map((item, i) => (
          <div key={i}>
            <div className="small muted">#{i + 1}</div>
            <Value name={name} value={item} depth={depth + 1} currency={currency} />
          </div>
        ))}
      </div>
    )
  }
  if (isPlainObject(value)) {
    const entries = Object.entries(value)
    if (entries.length === 0) return <span className="muted">empty</span>
    if (depth > 6) return <code>{JSON.stringify(value)}</code>
    const own = typeof value["currency"] === "string" ? value["currency"] : currency
    return (
      <div className="kv">
        {entries.map(([k, v]) => (
          <Pair key={k} k={k}>
            <Value name={k} value={v} depth={depth + 1} currency={own} />
          </Pair>
        ))}
      </div>
    )
  }
  return <Scalar name={name} value={value} currency={currency} />
}

const Pair = ({ k, children }: { readonly k: string; readonly children: React.ReactNode }) => (
  <>
    <div className="k" title={k}>
      {humanKey(k)}
    </div>
    <div className="v">{children}</div>
  </>
)

export const PayloadView = ({ value }: { readonly value: unknown }) => {
  if (!isPlainObject(value) || Object.keys(value).length === 0)
    return <p className="muted">No payload.</p>
  return <Value name="" value={value} depth={0} />
}

/** One-line summary of a payload for a feed row (first few scalar fields). */
export const payloadSummary = (value: unknown): string => {
  if (!isPlainObject(value)) return ""
  const parts: string[] = []
  for (const [k, v] of Object.entries(value)) {
    if (parts.length >= 3) break
    if (v === null || v === undefined || v === "") continue
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean")
      parts.push(`${humanKey(k)}: ${String(v)}`)
    else if (Array.isArray(v)) parts.push(`${humanKey(k)}: ${v.length}`)
  }
  return parts.join(" · ")
}
