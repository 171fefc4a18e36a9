/**
 * An audit entry's `changes` as staff read them: one line per changed field, "before → after",
 * instead of a JSON string. Entries store either `{ before, after }` snapshots (only the fields
 * that differ are listed), per-field `{ before, after }` pairs, or plain values.
 */
import type { ReactNode } from "react"

export interface ChangeLine {
  readonly path: string
  readonly before?: string | undefined
  readonly after?: string | undefined
  /** A plain value (no before / after). */
  readonly value?: string | undefined
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v)

const leaf = (v: unknown): string =>
  v === null || v === undefined
    ? "—"
    : typeof v === "string"
      ? v
      : typeof v === "number" || typeof v === "boolean"
        ? String(v)
        : JSON.stringify(v)

/** Nested values as `path → text`; arrays of plain values stay one line. */
const flatten = (v: unknown, prefix: string, out: Map<string, string>): Map<string, string> => {
  if (isObject(v)) {
    const keys = Object.keys(v)
    if (keys.length === 0 && prefix) out.set(prefix, "—")
    for (const k of keys) flatten(v[k], prefix ? `${prefix}.${k}` : k, out)
  } else if (Array.isArray(v) && v.some((x) => typeof x === "object" && x !== null)) {
    v.forEach((x, i) => flatten(x, `${prefix}[${i + 1}]`, out))
    if (v.length === 0) out.set(prefix, "none")
  } else if (Array.isArray(v)) {
    out.set(prefix, v.length === 0 ? "none" : v.map(leaf).join(", "))
  } else out.set(prefix, leaf(v))
  return out
}

const absent = (v: unknown) => v === null || v === undefined

const diff = (before: unknown, after: unknown, prefix: string): ChangeLine[] => {
  // A creation lists what was made; a deletion what was removed — no "— → x" per field.
  if (absent(before) && isObject(after))
    return [...flatten(after, prefix, new Map())].map(([path, value]) => ({ path, value }))
  if (absent(after) && isObject(before))
    return [
      { path: prefix || "removed", value: "deleted" },
      ...[...flatten(before, prefix, new Map())].map(([path, value]) => ({
        path,
        before: value,
      })),
    ]
  const b = flatten(before, prefix, new Map())
  const a = flatten(after, prefix, new Map())
  const lines: ChangeLine[] = []
  for (const path of new Set([...b.keys(), ...a.keys()])) {
    const x = b.get(path)
    const y = a.get(path)
    if (x !== y) lines.push({ path: path || "value", before: x, after: y })
  }
  return lines
}

const isPair = (v: unknown): v is { before?: unknown; after?: unknown } =>
  isObject(v) &&
  ("before" in v || "after" in v) &&
  Object.keys(v).every((k) => k === "before" || k === "after")

export const changeLines = (changes: unknown): ChangeLine[] => {
  if (!isObject(changes))
    return changes === undefined ? [] : [{ path: "value", value: leaf(changes) }]
  const lines: ChangeLine[] = []
  if ("before" in changes || "after" in changes)
    lines.push(...diff(changes["before"] ?? null, changes["after"] ?? null, ""))
  for (const [k, v] of Object.entries(changes)) {
    if (k === "before" || k === "after") continue
    if (isPair(v)) lines.push(...diff(v.before ?? null, v.after ?? null, k))
    else for (const [path, text] of flatten(v, k, new Map())) lines.push({ path, value: text })
  }
  return lines
}

const SHOWN = 8

const Line = ({ l }: { readonly l: ChangeLine }): ReactNode => (
  <li>
    <span className="change-path">{l.path}</span>:{" "}
    {l.value !== undefined ? (
      <span>{l.value}</span>
    ) : (
      <>
        <del className="change-before">{l.before ?? "—"}</del> →{" "}
        <ins className="change-after">{l.after ?? "—"}</ins>
      </>
    )}
  </li>
)

export const ChangesView = ({ changes }: { readonly changes: unknown }) => {
  const lines = changeLines(changes)
  if (lines.length === 0) return <span className="muted small">no field changed</span>
  const rest = lines.slice(SHOWN)
  return (
    <div className="changes small" data-testid="audit-changes">
      <ul>
        {lines.slice(0, SHOWN).map((l) => (
          <Line key={l.path} l={l} />
        ))}
      </ul>
      {rest.length > 0 ? (
        <details>
          <summary>{rest.length} more</summary>
          <ul>
            {rest.map((l) => (
              <Line key={l.path} l={l} />
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  )
}
