/**
 * Field-level differences between two customer profiles, for the `ProfileEdited` (customer's
 * own edit) and `ProfileCorrected` (staff correction) payloads.
 *
 * Field paths: `personal.firstName`, `customFields.<key>` (nested objects by dots),
 * `identifiers.<kind>` (value; several of a kind → sorted array), `subscriptions.<brand>.<channel>`
 * (boolean), `tags` (sorted array). Absent values are `null`.
 */
import type { Schema } from "effect"
import type { CustomerProfile } from "./Customer"
import type { FieldChange } from "./Payloads"

type Json = Schema.Json

/** The part of a profile that is compared; every part optional (absent = empty). */
export type ComparableProfile = Partial<
  Pick<CustomerProfile, "identifiers" | "personal" | "subscriptions" | "tags" | "customFields">
>

const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** Canonical JSON value (undefined → null; drops functions and undefined keys). */
const toJson = (u: unknown): Json => {
  if (u === undefined || u === null) return null
  if (typeof u === "string" || typeof u === "boolean") return u
  if (typeof u === "number") return Number.isFinite(u) ? u : null
  if (Array.isArray(u)) return u.map(toJson)
  if (isPlainObject(u)) {
    const out: Record<string, Json> = {}
    for (const k of Object.keys(u).sort()) if (u[k] !== undefined) out[k] = toJson(u[k])
    return out
  }
  return String(u)
}

const jsonEqual = (a: Json, b: Json): boolean => JSON.stringify(a) === JSON.stringify(b)

/** Flatten nested plain objects into dotted leaves (arrays are leaves). */
const flatten = (prefix: string, u: unknown, into: Map<string, Json>): void => {
  if (isPlainObject(u) && Object.keys(u).length > 0) {
    for (const [k, v] of Object.entries(u)) if (v !== undefined) flatten(`${prefix}.${k}`, v, into)
  } else {
    into.set(prefix, toJson(u))
  }
}

const fields = (p: ComparableProfile): Map<string, Json> => {
  const out = new Map<string, Json>()
  for (const [k, v] of Object.entries(p.personal ?? {}))
    if (v !== undefined) out.set(`personal.${k}`, toJson(v))
  for (const [k, v] of Object.entries(p.customFields ?? {}))
    if (v !== undefined) flatten(`customFields.${k}`, v, out)
  const byKind = new Map<string, Array<string>>()
  for (const id of p.identifiers ?? []) {
    const list = byKind.get(id.kind) ?? []
    list.push(id.value)
    byKind.set(id.kind, list)
  }
  for (const [kind, values] of byKind) {
    const sorted = [...new Set(values)].sort()
    out.set(`identifiers.${kind}`, sorted.length === 1 ? sorted[0]! : sorted)
  }
  for (const s of p.subscriptions ?? [])
    out.set(`subscriptions.${s.brandId}.${s.channel}`, s.subscribed)
  const tags = [...new Set(p.tags ?? [])].sort()
  if (tags.length > 0) out.set("tags", tags)
  return out
}

/** The changed fields, sorted by field path; empty when nothing changed. */
export const diffProfiles = (
  before: ComparableProfile,
  after: ComparableProfile,
): ReadonlyArray<FieldChange> => {
  const a = fields(before)
  const b = fields(after)
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort()
  const changes: Array<FieldChange> = []
  for (const field of keys) {
    const x = a.get(field) ?? null
    const y = b.get(field) ?? null
    if (!jsonEqual(x, y)) changes.push({ field, before: x, after: y })
  }
  return changes
}

/** The `ProfileEdited` payload for a customer's own edit, or `undefined` when nothing changed. */
export const profileEditedPayload = (
  before: ComparableProfile,
  after: ComparableProfile,
): { readonly changes: ReadonlyArray<FieldChange> } | undefined => {
  const changes = diffProfiles(before, after)
  return changes.length === 0 ? undefined : { changes }
}

/** The `ProfileCorrected` payload for a staff correction, or `undefined` when nothing changed. */
export const profileCorrectedPayload = (
  before: ComparableProfile,
  after: ComparableProfile,
  reason?: string,
): { readonly changes: ReadonlyArray<FieldChange>; readonly reason?: string } | undefined => {
  const changes = diffProfiles(before, after)
  if (changes.length === 0) return undefined
  return reason === undefined ? { changes } : { changes, reason }
}
