import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query"
import { useState } from "react"
import { useCan } from "../auth"
import { type BrandDef, useRegistry } from "../registry"
import { useTRPC } from "../trpc"
import { Badge, Card, Empty, ErrorBox, Loading, Modal, PageHeader, FormActions } from "../ui/common"

export const BrandsPage = () => {
  const trpc = useTRPC()
  const registry = useRegistry()
  const can = useCan()
  const settings = useQuery(trpc.settings.get.queryOptions())
  const [editing, setEditing] = useState<BrandDef | "new" | null>(null)
  const manage = can("settings.manage")

  return (
    <div className="page">
      <PageHeader
        title="Brands & settings"
        sub="Brands of a multi-brand project, and the project settings that decide how new actions are attributed."
        actions={
          manage ? (
            <button type="button" className="btn btn-primary" onClick={() => setEditing("new")}>
              New brand
            </button>
          ) : null
        }
      />
      {settings.isPending ? (
        <Loading />
      ) : settings.isError ? (
        <ErrorBox error={settings.error} />
      ) : (
        <SettingsCard settings={settings.data} manage={manage} />
      )}
      <Card title="Brands" body={false}>
        {!registry.ready ? (
          <Loading />
        ) : registry.brands.length === 0 ? (
          <Empty title="No brands" />
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>System name</th>
                <th>Industry</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {registry.brands.map((b) => (
                <tr key={b.id}>
                  <td>
                    <strong>{b.name}</strong>{" "}
                    {settings.data?.defaultBrandId === b.id ? (
                      <Badge tone="accent">default</Badge>
                    ) : null}
                  </td>
                  <td className="mono small">{b.id}</td>
                  <td className="small">{b.industry || <span className="muted">—</span>}</td>
                  <td className="num">
                    {manage ? (
                      <button type="button" className="btn btn-sm" onClick={() => setEditing(b)}>
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
      {editing ? (
        <BrandModal
          brand={editing === "new" ? undefined : editing}
          onClose={() => setEditing(null)}
        />
      ) : null}
    </div>
  )
}

type SettingsData = {
  readonly multiBrand: boolean
  readonly defaultBrandId: string
  readonly defaultTouchpointId?: string | undefined
}

const SettingsCard = ({
  settings,
  manage,
}: {
  readonly settings: SettingsData
  readonly manage: boolean
}) => {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const registry = useRegistry()
  const [confirming, setConfirming] = useState(false)
  const update = useMutation(
    trpc.settings.update.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.settings.pathKey() }),
    }),
  )
  const defaultBrand = registry.brand(settings.defaultBrandId)
  return (
    <Card title="Project settings" testId="settings">
      {update.error ? <ErrorBox error={update.error} /> : null}
      <div className="form">
        <div
          style={{
            display: "flex",
            justifyContent: "space-between",
            gap: 16,
            alignItems: "flex-start",
          }}
        >
          <div>
            <strong>Multi-brand project</strong>{" "}
            {settings.multiBrand ? <Badge tone="ok">on</Badge> : <Badge>off</Badge>}
            <p className="muted small" style={{ maxWidth: 640 }}>
              {settings.multiBrand
                ? "Every new action carries a brand: given by the caller, or implied by its touchpoint's brand. Actions recorded before multi-brand was turned on keep the default brand."
                : `Every action belongs to the default brand (${defaultBrand?.name ?? settings.defaultBrandId}).`}
            </p>
          </div>
          {manage ? (
            <button
              type="button"
              className="btn"
              disabled={update.isPending}
              onClick={() =>
                settings.multiBrand ? update.mutate({ multiBrand: false }) : setConfirming(true)
              }
            >
              {settings.multiBrand ? "Turn off" : "Turn on multi-brand"}
            </button>
          ) : null}
        </div>
        <div className="form-row">
          <div className="field">
            <label htmlFor="set-brand">Default brand</label>
            <select
              id="set-brand"
              className="select"
              disabled={!manage}
              value={settings.defaultBrandId}
              onChange={(e) => update.mutate({ defaultBrandId: e.target.value })}
            >
              {registry.brands.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="set-tp">Default touchpoint</label>
            <select
              id="set-tp"
              className="select"
              disabled={!manage}
              value={settings.defaultTouchpointId ?? ""}
              onChange={(e) => update.mutate({ defaultTouchpointId: e.target.value || null })}
            >
              <option value="">— none: actions must name a touchpoint —</option>
              {registry.touchpoints
                .filter((t) => !t.deleted)
                .map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
            </select>
            <span className="hint">Used for actions that name no touchpoint.</span>
          </div>
        </div>
      </div>
      {confirming ? (
        <Modal title="Turn on multi-brand?" onClose={() => setConfirming(false)}>
          <p>
            From now on, every new action must carry a brand — given directly, or implied by its
            touchpoint.
          </p>
          <p>
            Past actions are not changed: they stay with the default brand (
            <strong>{defaultBrand?.name ?? settings.defaultBrandId}</strong>).
          </p>
          <p className="muted small">
            Callers that send neither a brand nor a branded touchpoint will be rejected.
          </p>
          <div className="form-actions">
            <button type="button" className="btn" onClick={() => setConfirming(false)}>
              Cancel
            </button>
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => {
                update.mutate({ multiBrand: true })
                setConfirming(false)
              }}
            >
              Turn on
            </button>
          </div>
        </Modal>
      ) : null}
    </Card>
  )
}

const BrandModal = ({
  brand,
  onClose,
}: {
  readonly brand: BrandDef | undefined
  readonly onClose: () => void
}) => {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const [id, setId] = useState(brand?.id ?? "")
  const [name, setName] = useState(brand?.name ?? "")
  const [industry, setIndustry] = useState(brand?.industry ?? "")
  const done = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.brands.pathKey() })
    onClose()
  }
  const create = useMutation(trpc.brands.create.mutationOptions({ onSuccess: done }))
  const update = useMutation(trpc.brands.update.mutationOptions({ onSuccess: done }))
  const error = create.error ?? update.error
  return (
    <Modal title={brand ? "Edit brand" : "New brand"} onClose={onClose}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault()
          if (brand) update.mutate({ id: brand.id, name, industry })
          else create.mutate({ id, name, industry })
        }}
      >
        {error ? <ErrorBox error={error} /> : null}
        <div className="field">
          <label htmlFor="br-name">Name</label>
          <input
            id="br-name"
            className="input"
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="br-id">System name</label>
          <input
            id="br-id"
            className="input mono"
            required
            disabled={Boolean(brand)}
            value={id}
            onChange={(e) => setId(e.target.value)}
          />
          <span className="hint">The brand's id in API calls; fixed once created.</span>
        </div>
        <div className="field">
          <label htmlFor="br-ind">Industry</label>
          <input
            id="br-ind"
            className="input"
            value={industry}
            onChange={(e) => setIndustry(e.target.value)}
          />
        </div>
        <FormActions
          onCancel={onClose}
          disabled={create.isPending || update.isPending}
          submitLabel="Save"
        />
      </form>
    </Modal>
  )
}
