/**
 * The project's registries (templates, channels, touchpoints, brands, settings), loaded once
 * and cached: feed rows carry only ids, and names and channel paths are resolved from here.
 */
import { useQuery } from "@tanstack/react-query"
import { useMemo } from "react"
import { Ids, Registry as DomainRegistry } from "@actionlog/domain"
import { type RouterOutputs, useTRPC } from "./trpc"

export type TemplateDef = RouterOutputs["templates"]["list"][number]
export type TouchpointDef = RouterOutputs["touchpoints"]["list"][number]
export type ChannelDef = RouterOutputs["channels"]["tree"]["channels"][number]
export type BrandDef = RouterOutputs["brands"]["list"][number]

export interface Registry {
  readonly ready: boolean
  readonly error: unknown
  readonly templates: ReadonlyArray<TemplateDef>
  readonly touchpoints: ReadonlyArray<TouchpointDef>
  readonly channels: ReadonlyArray<ChannelDef>
  readonly brands: ReadonlyArray<BrandDef>
  readonly template: (name: string) => TemplateDef | undefined
  readonly touchpoint: (id: string) => TouchpointDef | undefined
  readonly channel: (id: string) => ChannelDef | undefined
  readonly brand: (id: string) => BrandDef | undefined
  /** "Offline › Central › Moscow" for a channel id. */
  readonly channelPathLabel: (id: string) => string
}

const REGISTRY_STALE_MS = 30_000

export const useRegistry = (): Registry => {
  const trpc = useTRPC()
  const templates = useQuery(trpc.templates.list.queryOptions({}, { staleTime: REGISTRY_STALE_MS }))
  const touchpoints = useQuery(
    trpc.touchpoints.list.queryOptions({ includeDeleted: true }, { staleTime: REGISTRY_STALE_MS }),
  )
  const channels = useQuery(
    trpc.channels.tree.queryOptions(undefined, {
      staleTime: REGISTRY_STALE_MS,
      select: (tree) => tree.channels,
    }),
  )
  const brands = useQuery(
    trpc.brands.list.queryOptions(undefined, { staleTime: REGISTRY_STALE_MS }),
  )

  return useMemo(() => {
    const t = templates.data ?? []
    const tp = touchpoints.data ?? []
    const ch = channels.data ?? []
    const br = brands.data ?? []
    const tMap = new Map(t.map((x) => [x.systemName as string, x]))
    const tpMap = new Map(tp.map((x) => [x.id as string, x]))
    const chMap = new Map(ch.map((x) => [x.id as string, x]))
    const brMap = new Map(br.map((x) => [x.id as string, x]))
    const pathCache = new Map<string, string>()
    return {
      ready: templates.isSuccess && touchpoints.isSuccess && channels.isSuccess && brands.isSuccess,
      error: templates.error ?? touchpoints.error ?? channels.error ?? brands.error,
      templates: t,
      touchpoints: tp,
      channels: ch,
      brands: br,
      template: (name) => tMap.get(name),
      touchpoint: (id) => tpMap.get(id),
      channel: (id) => chMap.get(id),
      brand: (id) => brMap.get(id),
      channelPathLabel: (id) => {
        let label = pathCache.get(id)
        if (label === undefined) {
          label = DomainRegistry.channelPath(
            ch as ReadonlyArray<DomainRegistry.Channel>,
            id as Ids.ChannelId,
          )
            .map((c) => c.name)
            .join(" › ")
          pathCache.set(id, label || id)
        }
        return label || id
      },
    }
  }, [
    templates.data,
    touchpoints.data,
    channels.data,
    brands.data,
    templates.isSuccess,
    touchpoints.isSuccess,
    channels.isSuccess,
    brands.isSuccess,
    templates.error,
    touchpoints.error,
    channels.error,
    brands.error,
  ])
}

/** Channels as a tree (children sorted by name), for pickers and the channel screen. */
export interface ChannelNode {
  readonly channel: ChannelDef
  readonly children: ReadonlyArray<ChannelNode>
  readonly depth: number
}

export const channelTree = (channels: ReadonlyArray<ChannelDef>): ReadonlyArray<ChannelNode> => {
  const byParent = new Map<string, Array<ChannelDef>>()
  const ids = new Set(channels.map((c) => c.id as string))
  for (const c of channels) {
    // Orphans (parent missing) show at the root rather than vanish.
    const parent = c.parentId !== undefined && ids.has(c.parentId) ? c.parentId : ""
    const list = byParent.get(parent) ?? []
    list.push(c)
    byParent.set(parent, list)
  }
  const seen = new Set<string>()
  const build = (parent: string, depth: number): ReadonlyArray<ChannelNode> =>
    (byParent.get(parent) ?? [])
      .filter((c) => !seen.has(c.id) && (seen.add(c.id), true))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((c) => ({ channel: c, depth, children: build(c.id, depth + 1) }))
  return build("", 0)
}

/** Depth-first flattening for `<select>` options with indentation. */
export const flattenTree = (nodes: ReadonlyArray<ChannelNode>): ReadonlyArray<ChannelNode> =>
  nodes.flatMap((n) => [n, ...flattenTree(n.children)])
