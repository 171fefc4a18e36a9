import { Effect, Schema } from "effect"
import { Ids, Registry } from "@actionlog/domain"
import { Channels } from "@actionlog/store"
import { audited, auditedUpdate } from "../Audit"
import { asNotFound } from "../errors"
import { input, Name } from "../schemas"
import { procedure, router, run } from "../trpc"

const read = () => procedure.requires({ scope: "read", permission: "actions.view" })
const manage = () => procedure.requires({ scope: "admin", permission: "touchpoints.manage" })

export interface ChannelNode extends Registry.Channel {
  readonly children: ReadonlyArray<ChannelNode>
}

/** The flat list as a forest, children sorted by name. */
const toTree = (channels: ReadonlyArray<Registry.Channel>): ReadonlyArray<ChannelNode> => {
  const children = new Map<string | undefined, Array<Registry.Channel>>()
  const ids = new Set(channels.map((c) => c.id as string))
  for (const c of channels) {
    // A parent that is not in the list (should not happen) makes the channel a root.
    const parent = c.parentId !== undefined && ids.has(c.parentId) ? c.parentId : undefined
    const list = children.get(parent) ?? []
    list.push(c)
    children.set(parent, list)
  }
  const seen = new Set<string>()
  const build = (parent: string | undefined): Array<ChannelNode> =>
    (children.get(parent) ?? [])
      .filter((c) => !seen.has(c.id) && (seen.add(c.id), true))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((c) => ({ ...c, children: build(c.id) }))
  return build(undefined)
}

export const channelsRouter = router({
  /** The channel tree (roots with nested children) and the flat list. */
  tree: read().query(({ ctx }) =>
    run(
      ctx,
      Channels.use((c) => c.list).pipe(
        Effect.map((list) => ({ roots: toTree(list), channels: list })),
      ),
    ),
  ),

  get: read()
    .input(input(Schema.Struct({ id: Ids.ChannelId })))
    .query(({ ctx, input }) =>
      run(
        ctx,
        Channels.use((c) =>
          Effect.all({
            channel: c.get(input.id),
            path: c.path(input.id),
          }).pipe(Effect.mapError(asNotFound)),
        ),
      ),
    ),

  create: manage()
    .input(
      input(
        Schema.Struct({ externalId: Name, name: Name, parentId: Schema.optional(Ids.ChannelId) }),
      ),
    )
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Channels.use((c) =>
          audited(c.create(input), (after) => ({
            action: "channels.create",
            targetType: "channel",
            targetId: after.id as string,
            changes: { after },
          })),
        ),
      ),
    ),

  /** Rename / re-key. */
  update: manage()
    .input(
      input(
        Schema.Struct({
          id: Ids.ChannelId,
          externalId: Schema.optional(Name),
          name: Schema.optional(Name),
        }),
      ),
    )
    .mutation(({ ctx, input }) => {
      const { id, ...changes } = input
      return run(
        ctx,
        Channels.use((channels) =>
          auditedUpdate(
            channels.get(id).pipe(Effect.mapError(asNotFound)),
            channels.update(id, changes),
            (before, after) => ({
              action: "channels.update",
              targetType: "channel",
              targetId: id as string,
              changes: { before, after },
            }),
          ),
        ),
      )
    }),

  /** Moves a channel with its sub-tree under `parentId`, or to the root with `null`. */
  move: manage()
    .input(input(Schema.Struct({ id: Ids.ChannelId, parentId: Schema.NullOr(Ids.ChannelId) })))
    .mutation(({ ctx, input }) =>
      run(
        ctx,
        Channels.use((channels) =>
          auditedUpdate(
            channels.get(input.id).pipe(Effect.mapError(asNotFound)),
            channels.move(input.id, input.parentId),
            (before, after) => ({
              action: "channels.move",
              targetType: "channel",
              targetId: input.id as string,
              changes: {
                parentId: { before: before.parentId ?? null, after: after.parentId ?? null },
              },
            }),
          ),
        ),
      ),
    ),
})
