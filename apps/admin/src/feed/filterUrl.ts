/**
 * Feed filters live in the URL (so a filtered view can be shared): repeated keys for lists,
 * ISO strings for times. This module maps URL ⇄ filter state; the API's filter shape comes
 * from `@actionlog/domain` (see `toApiFilter`).
 */
import type { Template } from "@actionlog/domain"

export interface FilterState {
  readonly templates: ReadonlyArray<string>
  /** Template tags: actions of any template carrying one of them ("orders"). */
  readonly tags: ReadonlyArray<string>
  readonly category: Template.Category | undefined
  readonly channels: ReadonlyArray<string>
  readonly touchpoints: ReadonlyArray<string>
  readonly brands: ReadonlyArray<string>
  /** Event-time range, ISO strings; `to` exclusive. */
  readonly occurredFrom: string | undefined
  readonly occurredTo: string | undefined
  /** Recorded-time range, ISO strings; `to` exclusive. */
  readonly recordedFrom: string | undefined
  readonly recordedTo: string | undefined
}

export const emptyFilter: FilterState = {
  templates: [],
  tags: [],
  category: undefined,
  channels: [],
  touchpoints: [],
  brands: [],
  occurredFrom: undefined,
  occurredTo: undefined,
  recordedFrom: undefined,
  recordedTo: undefined,
}

const keys = {
  templates: "template",
  tags: "tag",
  category: "category",
  channels: "channel",
  touchpoints: "touchpoint",
  brands: "brand",
  occurredFrom: "from",
  occurredTo: "to",
  recordedFrom: "recordedFrom",
  recordedTo: "recordedTo",
} as const

/** URL params the filter owns; anything else (e.g. the open action) is left alone. */
export const filterParamNames: ReadonlyArray<string> = Object.values(keys)

const isoOrUndefined = (v: string | null): string | undefined => {
  if (!v) return undefined
  const d = new Date(v)
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString()
}

const unique = (values: ReadonlyArray<string>) => [...new Set(values.filter(Boolean))]

export const parseFilter = (params: URLSearchParams): FilterState => {
  const category = params.get(keys.category)
  return {
    templates: unique(params.getAll(keys.templates)),
    tags: unique(params.getAll(keys.tags)),
    category: category === "personal" || category === "system" ? category : undefined,
    channels: unique(params.getAll(keys.channels)),
    touchpoints: unique(params.getAll(keys.touchpoints)),
    brands: unique(params.getAll(keys.brands)),
    occurredFrom: isoOrUndefined(params.get(keys.occurredFrom)),
    occurredTo: isoOrUndefined(params.get(keys.occurredTo)),
    recordedFrom: isoOrUndefined(params.get(keys.recordedFrom)),
    recordedTo: isoOrUndefined(params.get(keys.recordedTo)),
  }
}

/** Writes `filter` into a copy of `base`, replacing only the filter's own params. */
export const writeFilter = (base: URLSearchParams, filter: FilterState): URLSearchParams => {
  const out = new URLSearchParams(base)
  for (const k of filterParamNames) out.delete(k)
  for (const t of filter.templates) out.append(keys.templates, t)
  for (const t of filter.tags) out.append(keys.tags, t)
  if (filter.category) out.set(keys.category, filter.category)
  for (const c of filter.channels) out.append(keys.channels, c)
  for (const t of filter.touchpoints) out.append(keys.touchpoints, t)
  for (const b of filter.brands) out.append(keys.brands, b)
  if (filter.occurredFrom) out.set(keys.occurredFrom, filter.occurredFrom)
  if (filter.occurredTo) out.set(keys.occurredTo, filter.occurredTo)
  if (filter.recordedFrom) out.set(keys.recordedFrom, filter.recordedFrom)
  if (filter.recordedTo) out.set(keys.recordedTo, filter.recordedTo)
  return out
}

export const filterIsEmpty = (f: FilterState): boolean =>
  f.templates.length === 0 &&
  f.tags.length === 0 &&
  f.category === undefined &&
  f.channels.length === 0 &&
  f.touchpoints.length === 0 &&
  f.brands.length === 0 &&
  !f.occurredFrom &&
  !f.occurredTo &&
  !f.recordedFrom &&
  !f.recordedTo

/** A link query string that filters by one template (the "same actions" view). */
export const templateFilterQuery = (template: string): string =>
  writeFilter(new URLSearchParams(), { ...emptyFilter, templates: [template] }).toString()
