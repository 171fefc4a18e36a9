/** Filter state (from the URL) → the domain's `FeedFilter` the API takes (epoch ms times). */
import type { FilterState } from "./filterUrl"

export interface ApiFeedFilter {
  templates?: ReadonlyArray<string>
  category?: "personal" | "system"
  channels?: ReadonlyArray<string>
  touchpoints?: ReadonlyArray<string>
  brands?: ReadonlyArray<string>
  occurredFrom?: number
  occurredTo?: number
  recordedFrom?: number
  recordedTo?: number
}

/**
 * The templates a tag filter stands for: the API filters by template, so tags are expanded
 * with the registry. Picked templates and tagged ones add up ("Order placed" or any "orders").
 */
export const templatesOf = (
  f: FilterState,
  templates: ReadonlyArray<{ readonly systemName: string; readonly tags: ReadonlyArray<string> }>,
): ReadonlyArray<string> => {
  if (f.tags.length === 0) return f.templates
  const tagged = templates.filter((t) => t.tags.some((x) => f.tags.includes(x)))
  return [...new Set([...f.templates, ...tagged.map((t) => t.systemName)])]
}

/** Whether a tag filter matches no template at all (then nothing can match). */
export const matchesNothing = (
  f: FilterState,
  templates: ReadonlyArray<{ readonly systemName: string; readonly tags: ReadonlyArray<string> }>,
): boolean => f.tags.length > 0 && templatesOf(f, templates).length === 0

export const toApiFilter = (
  f: FilterState,
  templates: ReadonlyArray<{
    readonly systemName: string
    readonly tags: ReadonlyArray<string>
  }> = [],
): ApiFeedFilter => {
  const out: ApiFeedFilter = {}
  const names = templatesOf(f, templates)
  if (names.length) out.templates = names
  if (f.category) out.category = f.category
  if (f.channels.length) out.channels = f.channels
  if (f.touchpoints.length) out.touchpoints = f.touchpoints
  if (f.brands.length) out.brands = f.brands
  if (f.occurredFrom) out.occurredFrom = Date.parse(f.occurredFrom)
  if (f.occurredTo) out.occurredTo = Date.parse(f.occurredTo)
  if (f.recordedFrom) out.recordedFrom = Date.parse(f.recordedFrom)
  if (f.recordedTo) out.recordedTo = Date.parse(f.recordedTo)
  return out
}
