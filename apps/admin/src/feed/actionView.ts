/** The one shape screens use for an action, adapted from what the API returns. */

export interface ActionView {
  readonly id: string
  readonly customerId: string
  /** Short label for the Actions page (the customer's id). */
  readonly customerLabel: string
  readonly template: string
  readonly category: string | undefined
  readonly occurredAt: number
  readonly recordedAt: number
  readonly touchpointId: string
  /** The touchpoint's channel when the action was recorded. */
  readonly channelId: string | undefined
  readonly brandId: string | undefined
  readonly transactionId: string | undefined
  readonly payload: unknown
  readonly customFields: unknown
  /** Who or what recorded it (API key, staff user, import). */
  readonly source: string | undefined
  /** The recording principal, when stored: names come from `names.lookup`. */
  readonly recordedBy: { readonly kind: string; readonly id: string } | undefined
}

/** The fields the admin app relies on; the API's stored action satisfies it structurally. */
export interface ApiActionLike {
  readonly id: string
  readonly customerId: string
  readonly template: string
  readonly category?: string | undefined
  readonly occurredAt: number | string
  readonly recordedAt: number | string
  readonly touchpointId: string
  readonly channelId?: string | undefined
  readonly brandId?: string | null | undefined
  readonly transactionId?: string | null | undefined
  readonly payload?: unknown
  readonly customFields?: unknown
  readonly source?: unknown
  readonly recordedBy?: { readonly kind: string; readonly id: string } | undefined
}

const ms = (v: number | string): number => (typeof v === "number" ? v : Date.parse(v))

const kindLabels: Record<string, string> = {
  apiKey: "API key",
  staff: "Staff user",
  import: "Import",
  system: "System",
}

const sourceLabel = (s: unknown): string | undefined => {
  if (s === null || s === undefined) return undefined
  if (typeof s === "string") return s
  if (typeof s === "object") {
    const o = s as Record<string, unknown>
    if (typeof o.label === "string") return o.label
    if (typeof o.kind === "string")
      return [kindLabels[o.kind] ?? o.kind, o.name ?? o.email ?? o.id]
        .filter((x) => typeof x === "string")
        .join(" · ")
  }
  return JSON.stringify(s)
}

export const toActionView = (a: ApiActionLike): ActionView => ({
  id: a.id,
  customerId: a.customerId,
  customerLabel: a.customerId,
  template: a.template,
  category: a.category ?? undefined,
  occurredAt: ms(a.occurredAt),
  recordedAt: ms(a.recordedAt),
  touchpointId: a.touchpointId,
  channelId: a.channelId,
  brandId: a.brandId ?? undefined,
  transactionId: a.transactionId ?? undefined,
  payload: a.payload ?? {},
  customFields: a.customFields ?? {},
  source: sourceLabel(a.recordedBy ?? a.source),
  recordedBy: a.recordedBy,
})
