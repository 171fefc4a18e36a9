import { useMutation, useQueryClient } from "@tanstack/react-query"
import { useState } from "react"
import { Registry as DomainRegistry } from "@actionlog/domain"
import { useCan } from "../auth"
import {
  type ChannelDef,
  type ChannelNode,
  channelTree,
  flattenTree,
  type Registry,
  type TouchpointDef,
  useRegistry,
} from "../registry"
import { Link, useSearchParams } from "../router"
import { useTRPC } from "../trpc"
import { Badge, Card, Empty, ErrorBox, Loading, Modal, PageHeader, FormActions } from "../ui/common"

const kindLabels: Record<DomainRegistry.TouchpointKind, string> = {
  website: "Website",
  mobileApp: "Mobile app",
  store: "Store",
  socialNetwork: "Social network",
  callCentre: "Call centre",
  adminPanel: "Admin panel",
  api: "API",
  other: "Other",
}

/** Ids of a channel and everything below it. */
const subtreeIds = (registry: Registry, id: string): ReadonlySet<string> =>
  new Set(
    DomainRegistry.expandChannel(
      registry.channels as ReadonlyArray<DomainRegistry.Channel>,
      id as DomainRegistry.Channel["id"],
    ),
  )

export const TouchpointsPage = () => {
  const registry = useRegistry()
  const can = useCan()
  const manage = can("touchpoints.manage")
  const [params, setParams] = useSearchParams()
  const selected = params.get("channel") ?? ""
  const [showDeleted, setShowDeleted] = useState(true)
  const [editChannel, setEditChannel] = useState<ChannelDef | "new" | null>(null)
  const [editTouchpoint, setEditTouchpoint] = useState<TouchpointDef | "new" | null>(null)

  if (!registry.ready) return registry.error ? <ErrorBox error={registry.error} /> : <Loading />
  const tree = channelTree(registry.channels)
  const scope = selected ? subtreeIds(registry, selected) : null
  const touchpoints = registry.touchpoints.filter(
    (t) => (showDeleted || !t.deleted) && (!scope || scope.has(t.channelId)),
  )
  const counts = new Map<string, number>()
  for (const t of registry.touchpoints)
    if (!t.deleted) counts.set(t.channelId, (counts.get(t.channelId) ?? 0) + 1)
  const selectedChannel = selected ? registry.channel(selected) : undefined
  const select = (id: string) => {
    const next = new URLSearchParams(params)
    if (id) next.set("channel", id)
    else next.delete("channel")
    setParams(next)
  }

  return (
    <div className="page">
      <PageHeader
        title="Touchpoints & channels"
        sub="Where actions happen. Channels form a tree; every touchpoint belongs to one channel."
        actions={
          manage ? (
            <>
              <button type="button" className="btn" onClick={() => setEditChannel("new")}>
                New channel
              </button>
              <button
                type="button"
                className="btn btn-primary"
                onClick={() => setEditTouchpoint("new")}
              >
                New touchpoint
              </button>
            </>
          ) : null
        }
      />
      <div className="split">
        <Card title="Channels" body={false} testId="channel-tree">
          <div className="card-body" style={{ padding: 8 }}>
            <button
              type="button"
              className="tree-node"
              aria-selected={!selected}
              onClick={() => select("")}
            >
              All channels
              <span className="count">{registry.touchpoints.filter((t) => !t.deleted).length}</span>
            </button>
            {tree.length === 0 ? <p className="muted small">No channels yet.</p> : null}
            <Tree nodes={tree} selected={selected} counts={counts} onSelect={select} />
          </div>
        </Card>
        <div className="grid">
          {selectedChannel ? (
            <Card
              title={
                <>
                  {registry.channelPathLabel(selectedChannel.id)}{" "}
                  <span className="mono small muted">{selectedChannel.externalId}</span>
                </>
              }
              actions={
                manage ? (
                  <button
                    type="button"
                    className="btn btn-sm"
                    onClick={() => setEditChannel(selectedChannel)}
                  >
                    Edit / move
                  </button>
                ) : null
              }
            >
              <p className="muted small">
                Touchpoints in this channel and its sub-channels.{" "}
                {can("actions.view") ? (
                  <Link to={`/actions?channel=${encodeURIComponent(selectedChannel.id)}`}>
                    Actions in this channel →
                  </Link>
                ) : null}
              </p>
            </Card>
          ) : null}
          <Card
            title={`Touchpoints · ${touchpoints.length}`}
            body={false}
            actions={
              <label className="checkbox small">
                <input
                  type="checkbox"
                  checked={showDeleted}
                  onChange={(e) => setShowDeleted(e.target.checked)}
                />
                Show deleted
              </label>
            }
          >
            {touchpoints.length === 0 ? (
              <Empty title="No touchpoints here" />
            ) : (
              <table className="table" data-testid="touchpoints">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Kind</th>
                    <th>Channel</th>
                    <th>Brand</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {touchpoints.map((t) => (
                    <tr key={t.id} style={t.deleted ? { opacity: 0.65 } : undefined}>
                      <td>
                        <strong>{t.name}</strong>{" "}
                        {t.deleted ? <Badge tone="danger">deleted</Badge> : null}
                        <div className="mono small muted">{t.externalId}</div>
                      </td>
                      <td className="small">{kindLabels[t.kind] ?? t.kind}</td>
                      <td className="small">{registry.channelPathLabel(t.channelId)}</td>
                      <td className="small">
                        {t.brandId ? (
                          (registry.brand(t.brandId)?.name ?? t.brandId)
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
                      <td className="num">
                        {manage ? (
                          <button
                            type="button"
                            className="btn btn-sm"
                            onClick={() => setEditTouchpoint(t)}
                          >
                            Edit
                          </button>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Card>
        </div>
      </div>
      {editChannel ? (
        <ChannelModal
          channel={editChannel === "new" ? undefined : editChannel}
          parentDefault={selected}
          onClose={() => setEditChannel(null)}
        />
      ) : null}
      {editTouchpoint ? (
        <TouchpointModal
          touchpoint={editTouchpoint === "new" ? undefined : editTouchpoint}
          channelDefault={selected}
          onClose={() => setEditTouchpoint(null)}
        />
      ) : null}
    </div>
  )
}

const Tree = ({
  nodes,
  selected,
  counts,
  onSelect,
}: {
  readonly nodes: ReadonlyArray<ChannelNode>
  readonly selected: string
  readonly counts: ReadonlyMap<string, number>
  readonly onSelect: (id: string) => void
}) => (
  <ul className="tree" role="tree">
    {nodes.map((n) => (
      <li key={n.channel.id} role="treeitem" aria-selected={selected === n.channel.id}>
        <button
          type="button"
          className="tree-node"
          aria-selected={selected === n.channel.id}
          onClick={() => onSelect(n.channel.id)}
        >
          {n.channel.name}
          {counts.get(n.channel.id) ? (
            <span className="count">{counts.get(n.channel.id)}</span>
          ) : null}
        </button>
        {n.children.length > 0 ? (
          <Tree nodes={n.children} selected={selected} counts={counts} onSelect={onSelect} />
        ) : null}
      </li>
    ))}
  </ul>
)

const useInvalidateRegistry = () => {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.channels.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.touchpoints.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.settings.pathKey() }),
    ])
}

const ChannelModal = ({
  channel,
  parentDefault,
  onClose,
}: {
  readonly channel: ChannelDef | undefined
  readonly parentDefault: string
  readonly onClose: () => void
}) => {
  const trpc = useTRPC()
  const registry = useRegistry()
  const invalidate = useInvalidateRegistry()
  const [name, setName] = useState(channel?.name ?? "")
  const [externalId, setExternalId] = useState(channel?.externalId ?? "")
  const [parentId, setParentId] = useState(channel ? (channel.parentId ?? "") : parentDefault)
  const done = async () => {
    await invalidate()
    onClose()
  }
  const create = useMutation(trpc.channels.create.mutationOptions({ onSuccess: done }))
  const update = useMutation(trpc.channels.update.mutationOptions())
  const move = useMutation(trpc.channels.move.mutationOptions())
  const error = create.error ?? update.error ?? move.error
  // A channel cannot move under itself or its own sub-channels.
  const excluded = channel ? subtreeIds(registry, channel.id) : new Set<string>()
  const options = flattenTree(channelTree(registry.channels)).filter(
    (n) => !excluded.has(n.channel.id),
  )

  const submit = async () => {
    if (!channel) {
      create.mutate({ name, externalId, ...(parentId ? { parentId } : {}) })
      return
    }
    try {
      if (name !== channel.name || externalId !== channel.externalId)
        await update.mutateAsync({ id: channel.id, name, externalId })
      if ((channel.parentId ?? "") !== parentId)
        await move.mutateAsync({ id: channel.id, parentId: parentId || null })
      await done()
    } catch {
      // Shown from the mutation's error state.
    }
  }

  return (
    <Modal title={channel ? "Edit channel" : "New channel"} onClose={onClose}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault()
          void submit()
        }}
      >
        {error ? <ErrorBox error={error} /> : null}
        <div className="field">
          <label htmlFor="ch-name">Name</label>
          <input
            id="ch-name"
            className="input"
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="ch-ext">External id</label>
          <input
            id="ch-ext"
            className="input mono"
            required
            value={externalId}
            onChange={(e) => setExternalId(e.target.value)}
          />
          <span className="hint">Your systems' key for this channel.</span>
        </div>
        <div className="field">
          <label htmlFor="ch-parent">Parent</label>
          <select
            id="ch-parent"
            className="select"
            value={parentId}
            onChange={(e) => setParentId(e.target.value)}
          >
            <option value="">— top level —</option>
            {options.map((n) => (
              <option key={n.channel.id} value={n.channel.id}>
                {"\u00a0\u00a0".repeat(n.depth)}
                {n.channel.name}
              </option>
            ))}
          </select>
          {channel ? (
            <span className="hint">
              Moving a channel moves its sub-channels and touchpoints with it.
            </span>
          ) : null}
        </div>
        <FormActions
          onCancel={onClose}
          disabled={create.isPending || update.isPending || move.isPending}
          submitLabel="Save"
        />
      </form>
    </Modal>
  )
}

const TouchpointModal = ({
  touchpoint,
  channelDefault,
  onClose,
}: {
  readonly touchpoint: TouchpointDef | undefined
  readonly channelDefault: string
  readonly onClose: () => void
}) => {
  const trpc = useTRPC()
  const registry = useRegistry()
  const invalidate = useInvalidateRegistry()
  const [name, setName] = useState(touchpoint?.name ?? "")
  const [externalId, setExternalId] = useState(touchpoint?.externalId ?? "")
  const [kind, setKind] = useState<DomainRegistry.TouchpointKind>(touchpoint?.kind ?? "website")
  const [channelId, setChannelId] = useState(touchpoint?.channelId ?? channelDefault)
  const [brandId, setBrandId] = useState(touchpoint?.brandId ?? "")
  const done = async () => {
    await invalidate()
    onClose()
  }
  const create = useMutation(trpc.touchpoints.create.mutationOptions({ onSuccess: done }))
  const update = useMutation(trpc.touchpoints.update.mutationOptions({ onSuccess: done }))
  const remove = useMutation(trpc.touchpoints.remove.mutationOptions({ onSuccess: done }))
  const restore = useMutation(trpc.touchpoints.restore.mutationOptions({ onSuccess: done }))
  const error = create.error ?? update.error ?? remove.error ?? restore.error
  const options = flattenTree(channelTree(registry.channels))

  return (
    <Modal title={touchpoint ? "Edit touchpoint" : "New touchpoint"} onClose={onClose}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault()
          const body = { name, externalId, kind, channelId }
          if (touchpoint) update.mutate({ id: touchpoint.id, ...body, brandId: brandId || null })
          else create.mutate({ ...body, ...(brandId ? { brandId } : {}) })
        }}
      >
        {error ? <ErrorBox error={error} /> : null}
        {touchpoint?.deleted ? (
          <div className="alert alert-info">
            Deleted: it receives no new actions, and past actions still show it.
          </div>
        ) : null}
        <div className="form-row">
          <div className="field">
            <label htmlFor="tp-name">Name</label>
            <input
              id="tp-name"
              className="input"
              required
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="tp-ext">External id</label>
            <input
              id="tp-ext"
              className="input mono"
              required
              value={externalId}
              onChange={(e) => setExternalId(e.target.value)}
            />
          </div>
        </div>
        <div className="form-row">
          <div className="field">
            <label htmlFor="tp-kind">Kind</label>
            <select
              id="tp-kind"
              className="select"
              value={kind}
              onChange={(e) => setKind(e.target.value as DomainRegistry.TouchpointKind)}
            >
              {DomainRegistry.TouchpointKind.literals.map((k) => (
                <option key={k} value={k}>
                  {kindLabels[k]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="tp-channel">Channel</label>
            <select
              id="tp-channel"
              className="select"
              required
              value={channelId}
              onChange={(e) => setChannelId(e.target.value)}
            >
              <option value="">Choose…</option>
              {options.map((n) => (
                <option key={n.channel.id} value={n.channel.id}>
                  {"\u00a0\u00a0".repeat(n.depth)}
                  {n.channel.name}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="field">
          <label htmlFor="tp-brand">Brand</label>
          <select
            id="tp-brand"
            className="select"
            value={brandId}
            onChange={(e) => setBrandId(e.target.value)}
          >
            <option value="">— none —</option>
            {registry.brands.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
          <span className="hint">
            In a multi-brand project, actions here belong to this brand unless they name one.
          </span>
        </div>
        <div className="form-actions" style={{ justifyContent: "space-between" }}>
          <div>
            {touchpoint && !touchpoint.deleted ? (
              <button
                type="button"
                className="btn btn-danger"
                onClick={() => {
                  if (window.confirm(`Delete "${touchpoint.name}"? Past actions keep showing it.`))
                    remove.mutate({ id: touchpoint.id })
                }}
              >
                Delete
              </button>
            ) : null}
            {touchpoint?.deleted ? (
              <button
                type="button"
                className="btn"
                onClick={() => restore.mutate({ id: touchpoint.id })}
              >
                Restore
              </button>
            ) : null}
          </div>
          <div className="toolbar">
            <button type="button" className="btn" onClick={onClose}>
              Cancel
            </button>
            <button
              type="submit"
              className="btn btn-primary"
              disabled={create.isPending || update.isPending}
            >
              Save
            </button>
          </div>
        </div>
      </form>
    </Modal>
  )
}
