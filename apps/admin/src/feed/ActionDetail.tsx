/** Everything stored about one action: both timestamps, where, which brand, who recorded it. */
import { useQuery } from "@tanstack/react-query"
import { useEffect, useRef } from "react"
import { formatDateTime, formatDelay } from "../format"
import { useRegistry } from "../registry"
import { Link } from "../router"
import { useTRPC } from "../trpc"
import { Badge, CategoryBadge, ErrorBox, Loading } from "../ui/common"
import { toActionView } from "./actionView"
import { templateFilterQuery } from "./filterUrl"
import { PayloadView } from "./Payload"
import { NameRef, recordedByLabel, recordedByRequest, useNames } from "../names"

export const ActionDetail = ({ id }: { readonly id: string }) => {
  const trpc = useTRPC()
  const registry = useRegistry()
  const query = useQuery(trpc.actions.get.queryOptions({ id }))
  const loaded = query.data?.action
  const names = useNames({
    customers: loaded ? [loaded.customerId] : [],
    ...recordedByRequest([loaded?.recordedBy]),
  })

  if (query.isPending) return <Loading label="Loading action…" />
  if (query.isError) return <ErrorBox error={query.error} title="Could not load the action" />
  const detail = query.data
  const a = toActionView(detail.action)
  // The server resolves the template, touchpoint, channel path and brand as stored; the
  // registry is the fallback for older servers.
  const template = detail.template ?? registry.template(a.template)
  const touchpoint = detail.touchpoint ?? registry.touchpoint(a.touchpointId)
  const brand = detail.brand ?? (a.brandId ? registry.brand(a.brandId) : undefined)
  const channelPathLabel =
    detail.channelPath.length > 0
      ? detail.channelPath.map((c) => c.name).join(" › ")
      : a.channelId
        ? registry.channelPathLabel(a.channelId)
        : touchpoint
          ? registry.channelPathLabel(touchpoint.channelId)
          : "—"
  const category = a.category ?? template?.category
  const customFields =
    a.customFields && typeof a.customFields === "object" ? Object.keys(a.customFields).length : 0

  return (
    <div style={{ display: "flex", flexDirection: "column", gap: 20 }} data-testid="action-detail">
      <div>
        <div className="badges" style={{ marginBottom: 6 }}>
          {category ? <CategoryBadge category={category} /> : null}
          {template ? (
            <Badge tone="outline">{template.builtIn ? "built-in" : "custom"}</Badge>
          ) : (
            <Badge tone="warn">template not found</Badge>
          )}
        </div>
        <h2 data-testid="action-detail-title">{template?.displayName ?? a.template}</h2>
        <div className="mono small muted">{a.template}</div>
        {template?.description ? <p className="muted small">{template.description}</p> : null}
      </div>

      <div className="toolbar">
        <Link
          className="btn btn-sm"
          to={`/actions?${templateFilterQuery(a.template)}`}
          data-testid="same-actions"
        >
          Same actions →
        </Link>
        <Link className="btn btn-sm" to={`/customers/${encodeURIComponent(a.customerId)}`}>
          Open {names.customer(a.customerId) ?? "customer"}
        </Link>
      </div>

      <section>
        <div className="section-title">When</div>
        <dl className="dl">
          <dt>Event time</dt>
          <dd data-testid="occurred-at">{formatDateTime(a.occurredAt)}</dd>
          <dt>Recorded</dt>
          <dd data-testid="recorded-at">
            {formatDateTime(a.recordedAt)}
            {a.recordedAt !== a.occurredAt ? (
              <span className="muted"> · {formatDelay(a.occurredAt, a.recordedAt)}</span>
            ) : null}
          </dd>
        </dl>
      </section>

      <section>
        <div className="section-title">Where</div>
        <dl className="dl">
          <dt>Touchpoint</dt>
          <dd>
            {touchpoint ? (
              <>
                {touchpoint.name}{" "}
                <span className="muted small">
                  ({touchpoint.kind}, <span className="mono">{touchpoint.externalId}</span>)
                </span>
                {touchpoint.deleted ? (
                  <>
                    {" "}
                    <Badge tone="danger">deleted</Badge>
                  </>
                ) : null}
              </>
            ) : (
              <span className="mono">{a.touchpointId}</span>
            )}
          </dd>
          <dt>Channel</dt>
          <dd data-testid="channel-path">{channelPathLabel}</dd>
          <dt>Brand</dt>
          <dd>
            {brand ? brand.name : (a.brandId ?? <span className="muted">default brand</span>)}
          </dd>
        </dl>
      </section>

      <section>
        <div className="section-title">Record</div>
        <dl className="dl">
          <dt>Action id</dt>
          <dd className="mono small">{a.id}</dd>
          <dt>Customer</dt>
          <dd data-testid="detail-customer">
            <Link to={`/customers/${encodeURIComponent(a.customerId)}`}>
              <NameRef id={a.customerId} name={names.customer(a.customerId)} />
            </Link>{" "}
            <NameRef id={a.customerId} name="" copy className="muted small" />
          </dd>
          <dt>Recorded by</dt>
          <dd data-testid="recorded-by" title={a.recordedBy?.id}>
            {a.recordedBy
              ? recordedByLabel(a.recordedBy, names)
              : (a.source ?? <span className="muted">not recorded</span>)}
          </dd>
          <dt>Transaction id</dt>
          <dd className="mono small">{a.transactionId ?? <span className="muted">none</span>}</dd>
        </dl>
      </section>

      <section>
        <div className="section-title">Payload</div>
        <PayloadView value={a.payload} />
      </section>

      {customFields > 0 ? (
        <section>
          <div className="section-title">Custom fields</div>
          <PayloadView value={a.customFields} />
        </section>
      ) : null}

      <details>
        <summary className="small muted" style={{ cursor: "pointer" }}>
          Raw JSON
        </summary>
        <pre className="json">{JSON.stringify(query.data, null, 2)}</pre>
      </details>
    </div>
  )
}

/** The detail as a side drawer over a feed; Escape or the backdrop closes it. */
export const ActionDrawer = ({
  id,
  onClose,
}: {
  readonly id: string
  readonly onClose: () => void
}) => {
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") onClose()
    }
    window.addEventListener("keydown", onKey)
    ref.current?.focus()
    return () => window.removeEventListener("keydown", onKey)
  }, [onClose])
  return (
    <>
      <div className="drawer-backdrop" onClick={onClose} />
      <div
        className="drawer"
        role="dialog"
        aria-modal="true"
        aria-label="Action detail"
        tabIndex={-1}
        ref={ref}
      >
        <div className="drawer-header">
          <span className="section-title" style={{ margin: 0 }}>
            Action
          </span>
          <div className="toolbar">
            <Link className="btn btn-sm btn-ghost" to={`/actions/${encodeURIComponent(id)}`}>
              Permalink
            </Link>
            <button type="button" className="btn btn-sm" onClick={onClose} aria-label="Close">
              Close <kbd>Esc</kbd>
            </button>
          </div>
        </div>
        <div className="drawer-body">
          <ActionDetail id={id} />
        </div>
      </div>
    </>
  )
}
