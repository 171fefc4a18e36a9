/** Where actions happen (touchpoints in a channel tree), brands, and project settings. */
import { Schema } from "effect"
import { BrandId, ChannelId, TouchpointId } from "./Ids"

const Name = Schema.String.pipe(Schema.check(Schema.isNonEmpty(), Schema.isMaxLength(200)))
const ExternalId = Schema.String.pipe(Schema.check(Schema.isNonEmpty(), Schema.isMaxLength(200)))

export const TouchpointKind = Schema.Literals([
  "website",
  "mobileApp",
  "store",
  "socialNetwork",
  "callCentre",
  "adminPanel",
  "api",
  "other",
])
export type TouchpointKind = typeof TouchpointKind.Type

export const Touchpoint = Schema.Struct({
  id: TouchpointId,
  /** The caller's own key for the touchpoint; unique per project. */
  externalId: ExternalId,
  name: Name,
  kind: TouchpointKind,
  channelId: ChannelId,
  /** Actions at this touchpoint belong to this brand (multi-brand projects). */
  brandId: Schema.optionalKey(BrandId),
  /** Deleted touchpoints keep their past actions but receive no new ones. */
  deleted: Schema.Boolean,
})
export type Touchpoint = typeof Touchpoint.Type

/**
 * The touchpoint of the admin app: the first touchpoint of kind `adminPanel` that is not
 * deleted, in the order given (the registries list touchpoints by name, then id). Staff
 * actions that name no touchpoint are recorded there, not at the project's default.
 */
export const adminPanelTouchpoint = <T extends Pick<Touchpoint, "kind" | "deleted">>(
  touchpoints: Iterable<T>,
): T | undefined => {
  for (const t of touchpoints) if (t.kind === "adminPanel" && !t.deleted) return t
  return undefined
}

/** A node of the channel tree (Offline → Central region → Moscow). */
export const Channel = Schema.Struct({
  id: ChannelId,
  externalId: ExternalId,
  name: Name,
  parentId: Schema.optionalKey(ChannelId),
})
export type Channel = typeof Channel.Type

/** A brand; `id` is its system name. */
export const Brand = Schema.Struct({
  id: BrandId,
  name: Name,
  industry: Schema.String,
})
export type Brand = typeof Brand.Type

export const ProjectSettings = Schema.Struct({
  multiBrand: Schema.Boolean,
  /** Single-brand projects put every action in this brand; past actions keep it. */
  defaultBrandId: BrandId,
  /**
   * Used for actions that name no touchpoint (staff's: the admin panel touchpoint, when there
   * is one); without it such actions are rejected.
   */
  defaultTouchpointId: Schema.optionalKey(TouchpointId),
})
export type ProjectSettings = typeof ProjectSettings.Type

/** A touchpoint reference in inputs: internal id or the caller's external id. */
export const TouchpointRef = Schema.Union([
  Schema.Struct({ id: TouchpointId }),
  Schema.Struct({ externalId: ExternalId }),
])
export type TouchpointRef = typeof TouchpointRef.Type

/**
 * The ids of `root` and every channel below it (sub-channels), for feed filters.
 * `channels` is the whole tree; cycles are tolerated.
 */
export const expandChannel = (
  channels: ReadonlyArray<Channel>,
  root: ChannelId,
): ReadonlyArray<ChannelId> => {
  const children = new Map<string, Array<ChannelId>>()
  for (const c of channels) {
    if (c.parentId !== undefined) {
      const list = children.get(c.parentId) ?? []
      list.push(c.id)
      children.set(c.parentId, list)
    }
  }
  const out: Array<ChannelId> = []
  const seen = new Set<string>()
  const stack: Array<ChannelId> = [root]
  while (stack.length > 0) {
    const id = stack.pop()!
    if (seen.has(id)) continue
    seen.add(id)
    out.push(id)
    for (const child of children.get(id) ?? []) stack.push(child)
  }
  return out
}

/** Root-first path of channels from the tree's root to `id` (for action detail). */
export const channelPath = (
  channels: ReadonlyArray<Channel>,
  id: ChannelId,
): ReadonlyArray<Channel> => {
  const byId = new Map(channels.map((c) => [c.id as string, c]))
  const path: Array<Channel> = []
  const seen = new Set<string>()
  let cur = byId.get(id)
  while (cur !== undefined && !seen.has(cur.id)) {
    seen.add(cur.id)
    path.unshift(cur)
    cur = cur.parentId === undefined ? undefined : byId.get(cur.parentId)
  }
  return path
}
