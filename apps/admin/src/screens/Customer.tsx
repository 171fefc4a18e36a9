import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query"
import { useState } from "react"
import { useCan } from "../auth"
import { Feed } from "../feed/Feed"
import { formatDate, formatDateTime, initials } from "../format"
import { useRegistry } from "../registry"
import { Link, useSearchParams } from "../router"
import { type RouterOutputs, useTRPC } from "../trpc"
import {
  Badge,
  Card,
  ErrorBox,
  Forbidden,
  isForbidden,
  Loading,
  Modal,
  PageHeader,
  FormActions,
} from "../ui/common"
import { BonusCard, NotesCard, OrdersCard, TagsCard } from "./CustomerExtras"
import { DownloadCustomerData, EraseCustomer } from "./CustomerErase"
import { customerName } from "./customerName"

type CustomerData = RouterOutputs["customers"]["get"]

export const CustomerPage = ({ id }: { readonly id: string }) => {
  const trpc = useTRPC()
  const can = useCan()
  const [params] = useSearchParams()
  const customer = useQuery(trpc.customers.get.queryOptions({ id }))
  const [erasing, setErasing] = useState(false)
  const canFeed = can("actions.view")
  const tab = params.get("tab") === "profile" || !canFeed ? "profile" : "activity"

  if (customer.isPending) return <Loading label="Loading customer…" />
  if (customer.isError && isForbidden(customer.error)) return <Forbidden what="view customers" />
  if (customer.isError)
    return (
      <div className="page">
        <PageHeader title="Customer" crumbs={<Link to="/customers">Customers</Link>} />
        <ErrorBox error={customer.error} title="Could not load the customer" />
      </div>
    )
  const c = customer.data
  const name = customerName(c)

  return (
    <div className="page" style={{ maxWidth: "none" }}>
      <div className="breadcrumbs">
        <Link to="/customers">Customers</Link>
      </div>
      <div className="page-header">
        <div className="profile-head">
          <span className="avatar" aria-hidden>
            {initials(name)}
          </span>
          <div>
            <h1 data-testid="customer-name">{name}</h1>
            <div className="small muted">
              {c.identifiers.map((i) => `${i.kind}: ${i.value}`).join(" · ") || "No identifiers"}
              {" · "}customer since {formatDate(c.createdAt)}
            </div>
          </div>
        </div>
        <div className="toolbar">
          {can("actions.add") ? (
            <Link
              className="btn btn-primary"
              to={`/customers/${encodeURIComponent(id)}/assign`}
              data-testid="assign-action"
            >
              Assign action
            </Link>
          ) : null}
          {can("export") ? <DownloadCustomerData customerId={c.id} /> : null}
          {can("erase") ? (
            <button
              type="button"
              className="btn btn-danger"
              onClick={() => setErasing(true)}
              data-testid="erase-customer"
            >
              Erase customer
            </button>
          ) : null}
        </div>
      </div>

      <div className="tabs" role="tablist">
        {canFeed ? (
          <Link
            className="tab"
            role="tab"
            aria-selected={tab === "activity"}
            to={`/customers/${encodeURIComponent(id)}`}
            replace
          >
            Activity
          </Link>
        ) : null}
        <Link
          className="tab"
          role="tab"
          aria-selected={tab === "profile"}
          to={`/customers/${encodeURIComponent(id)}?tab=profile`}
          replace
        >
          Profile
        </Link>
      </div>

      {erasing ? <EraseCustomer customer={c} onClose={() => setErasing(false)} /> : null}
      {tab === "activity" ? <Feed customerId={id} /> : <Profile customer={c} />}
      {!canFeed ? (
        <p className="muted small" data-testid="no-feed">
          Your role does not include viewing actions, so the activity feed is hidden.
        </p>
      ) : null}
    </div>
  )
}

const Profile = ({ customer: c }: { readonly customer: CustomerData }) => {
  const can = useCan()
  const registry = useRegistry()
  const [editing, setEditing] = useState(false)
  const p = c.personal
  const customFields = Object.entries(c.customFields ?? {})

  return (
    <div className="profile-grid">
      <div className="grid">
        <Card
          title="Personal data"
          testId="personal-data"
          actions={
            can("customers.edit") ? (
              <button type="button" className="btn btn-sm" onClick={() => setEditing(true)}>
                Edit
              </button>
            ) : null
          }
        >
          <dl className="dl">
            <dt>First name</dt>
            <dd>{p.firstName ?? <span className="muted">—</span>}</dd>
            <dt>Middle name</dt>
            <dd>{p.middleName ?? <span className="muted">—</span>}</dd>
            <dt>Last name</dt>
            <dd>{p.lastName ?? <span className="muted">—</span>}</dd>
            <dt>Birth date</dt>
            <dd>{p.birthDate ?? <span className="muted">—</span>}</dd>
            <dt>Gender</dt>
            <dd>{p.gender ?? <span className="muted">—</span>}</dd>
            <dt>City</dt>
            <dd>{p.city ?? <span className="muted">—</span>}</dd>
            <dt>Locale</dt>
            <dd>{p.locale ?? <span className="muted">—</span>}</dd>
            <dt>Time zone</dt>
            <dd>{p.timeZone ?? <span className="muted">—</span>}</dd>
            <dt>Updated</dt>
            <dd className="small">{formatDateTime(c.updatedAt)}</dd>
            <dt>Customer id</dt>
            <dd className="mono small">{c.id}</dd>
          </dl>
        </Card>
        <NotesCard customerId={c.id} />
        <OrdersCard customerId={c.id} />
        <BonusCard customerId={c.id} />
      </div>

      <div className="grid">
        <Card title="Identifiers">
          {c.identifiers.length === 0 ? (
            <p className="muted">No identifiers.</p>
          ) : (
            <dl className="dl">
              {c.identifiers.map((i) => (
                <Pair key={i.kind} k={i.kind} v={<span className="mono">{i.value}</span>} />
              ))}
            </dl>
          )}
        </Card>
        <TagsCard customerId={c.id} tags={c.tags} />
        <Card title="Subscriptions" body={false}>
          {c.subscriptions.length === 0 ? (
            <div className="card-body muted">No subscriptions recorded.</div>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th>Channel</th>
                  <th>Brand</th>
                  <th>Status</th>
                </tr>
              </thead>
              <tbody>
                {c.subscriptions.map((s) => (
                  <tr key={`${s.channel}:${s.brandId}`}>
                    <td>{s.channel}</td>
                    <td>{registry.brand(s.brandId)?.name ?? s.brandId}</td>
                    <td>
                      {s.subscribed ? (
                        <Badge tone="ok">subscribed</Badge>
                      ) : (
                        <Badge>unsubscribed</Badge>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
        {customFields.length > 0 ? (
          <Card title="Custom profile fields">
            <dl className="dl">
              {customFields.map(([k, v]) => (
                <Pair key={k} k={k} v={typeof v === "string" ? v : JSON.stringify(v)} />
              ))}
            </dl>
          </Card>
        ) : null}
      </div>

      {editing ? <EditPersonal customer={c} onClose={() => setEditing(false)} /> : null}
    </div>
  )
}

const Pair = ({ k, v }: { readonly k: string; readonly v: React.ReactNode }) => (
  <>
    <dt>{k}</dt>
    <dd>{v}</dd>
  </>
)

const personalFields = [
  ["firstName", "First name"],
  ["middleName", "Middle name"],
  ["lastName", "Last name"],
  ["birthDate", "Birth date (YYYY-MM-DD)"],
  ["city", "City"],
  ["locale", "Locale"],
  ["timeZone", "Time zone"],
] as const

const EditPersonal = ({
  customer,
  onClose,
}: {
  readonly customer: CustomerData
  readonly onClose: () => void
}) => {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const [draft, setDraft] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      personalFields.map(([k]) => [
        k,
        (customer.personal as Record<string, string | undefined>)[k] ?? "",
      ]),
    ),
  )
  const [reason, setReason] = useState("")
  const edit = useMutation(
    trpc.customers.edit.mutationOptions({
      onSuccess: async () => {
        // The correction is recorded as an action: refresh the profile and its feed.
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.customers.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.actions.pathKey() }),
        ])
        onClose()
      },
    }),
  )
  return (
    <Modal title="Edit personal data" onClose={onClose}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault()
          // Only the fields staff changed: an emptied field is cleared (null), the others stay.
          const personal: Record<string, string | null> = {}
          for (const [k] of personalFields) {
            const was = (customer.personal as Record<string, string | undefined>)[k] ?? ""
            const v = draft[k]?.trim() ?? ""
            if (v !== was) personal[k] = v === "" ? null : v
          }
          edit.mutate({
            id: customer.id,
            changes: { personal },
            ...(reason.trim() ? { reason: reason.trim() } : {}),
          })
        }}
      >
        <p className="muted small">
          Saved as a staff correction: it appears in the activity feed as “Profile corrected”.
        </p>
        {edit.error ? <ErrorBox error={edit.error} /> : null}
        <div className="form-row">
          {personalFields.map(([k, label]) => (
            <div className="field" key={k}>
              <label htmlFor={`pe-${k}`}>{label}</label>
              <input
                id={`pe-${k}`}
                className="input"
                value={draft[k] ?? ""}
                onChange={(e) => setDraft({ ...draft, [k]: e.target.value })}
              />
            </div>
          ))}
        </div>
        <div className="field">
          <label htmlFor="pe-reason">Reason for the correction</label>
          <input
            id="pe-reason"
            className="input"
            placeholder="e.g. customer called to fix a typo"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
        </div>
        <FormActions onCancel={onClose} disabled={edit.isPending} submitLabel="Save correction" />
      </form>
    </Modal>
  )
}
