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

export const toApiFilter = (f: FilterState): ApiFeedFilter => {
  const out: ApiFeedFilter = {}
  if (f.templates.length) out.templates = f.templates
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
