/** Profile sections served by the producer procedures: notes, tags, orders, bonus balances. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query"
import { useState } from "react"
import { useCan, useMe } from "../auth"
import { templateFilterQuery } from "../feed/filterUrl"
import { formatDate, formatDateTime, formatMoney, formatNumber } from "../format"
import { Link } from "../router"
import { useTRPC } from "../trpc"
import { Badge, Card, ErrorBox, Loading } from "../ui/common"

/** Refreshes everything a change to a customer may touch, including their feed. */
const useInvalidateCustomer = () => {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  return () =>
    Promise.all(
      [
        trpc.customers.pathKey(),
        trpc.actions.pathKey(),
        trpc.notes.pathKey(),
        trpc.tags.pathKey(),
      ].map((queryKey) => queryClient.invalidateQueries({ queryKey })),
    )
}

const feedLink = (customerId: string, templates: ReadonlyArray<string>) => {
  const q = new URLSearchParams(templateFilterQuery(templates[0] ?? ""))
  for (const t of templates.slice(1)) q.append("template", t)
  return `/customers/${encodeURIComponent(customerId)}?${q.toString()}`
}

export const TagsCard = ({
  customerId,
  tags,
}: {
  readonly customerId: string
  readonly tags: ReadonlyArray<string>
}) => {
  const trpc = useTRPC()
  const can = useCan()
  const invalidate = useInvalidateCustomer()
  const [tag, setTag] = useState("")
  const add = useMutation(
    trpc.tags.add.mutationOptions({
      onSuccess: async () => {
        setTag("")
        await invalidate()
      },
    }),
  )
  const remove = useMutation(trpc.tags.remove.mutationOptions({ onSuccess: invalidate }))
  const edit = can("customers.edit")
  return (
    <Card title="Tags" testId="tags">
      {(add.error ?? remove.error) ? <ErrorBox error={add.error ?? remove.error} /> : null}
      {tags.length === 0 ? <p className="muted">No tags.</p> : null}
      <div className="chip-list" style={{ marginBottom: edit ? 10 : 0 }}>
        {tags.map((t) => (
          <span className="chip" key={t}>
            {t}
            {edit ? (
              <button
                type="button"
                aria-label={`Remove tag ${t}`}
                onClick={() => remove.mutate({ customer: { id: customerId }, tag: t })}
              >
                ×
              </button>
            ) : null}
          </span>
        ))}
      </div>
      {edit ? (
        <form
          className="search-box"
          onSubmit={(e) => {
            e.preventDefault()
            if (tag.trim()) add.mutate({ customer: { id: customerId }, tag: tag.trim() })
          }}
        >
          <input
            className="input"
            aria-label="New tag"
            placeholder="Add a tag…"
            value={tag}
            onChange={(e) => setTag(e.target.value)}
          />
          <button type="submit" className="btn" disabled={add.isPending}>
            Add
          </button>
        </form>
      ) : null}
    </Card>
  )
}

export const NotesCard = ({ customerId }: { readonly customerId: string }) => {
  const trpc = useTRPC()
  const me = useMe()
  const can = useCan()
  const invalidate = useInvalidateCustomer()
  const notes = useQuery(trpc.notes.list.queryOptions({ customer: { id: customerId } }))
  const [text, setText] = useState("")
  const add = useMutation(
    trpc.notes.add.mutationOptions({
      onSuccess: async () => {
        setText("")
        await invalidate()
      },
    }),
  )
  return (
    <Card title="Notes" testId="notes">
      {can("customers.edit") ? (
        <form
          className="form"
          style={{ marginBottom: 12 }}
          onSubmit={(e) => {
            e.preventDefault()
            if (text.trim()) add.mutate({ customer: { id: customerId }, text: text.trim() })
          }}
        >
          {add.error ? <ErrorBox error={add.error} /> : null}
          <textarea
            className="textarea"
            aria-label="New note"
            placeholder="Write a note for your colleagues…"
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
          <div className="form-actions">
            <button type="submit" className="btn" disabled={add.isPending || !text.trim()}>
              Add note
            </button>
          </div>
        </form>
      ) : null}
      {notes.isPending ? (
        <Loading />
      ) : notes.isError ? (
        <ErrorBox error={notes.error} />
      ) : notes.data.length === 0 ? (
        <p className="muted">No notes yet.</p>
      ) : (
        <div style={{ display: "flex", flexDirection: "column", gap: 10 }}>
          {notes.data.slice(0, 20).map((n) => (
            <div key={n.id} style={{ borderLeft: "3px solid var(--border)", paddingLeft: 10 }}>
              <div style={{ whiteSpace: "pre-wrap" }}>{n.text}</div>
              <div className="small muted">
                {formatDateTime(n.createdAt)} ·{" "}
                {n.author === `staff:${me.id}` ? "you" : n.author.replace(/^staff:/, "staff user ")}
              </div>
            </div>
          ))}
          {notes.data.length > 20 ? (
            <Link to={feedLink(customerId, ["NoteAdded"])} className="small">
              All {notes.data.length} notes in the feed →
            </Link>
          ) : null}
        </div>
      )}
    </Card>
  )
}

export const OrdersCard = ({ customerId }: { readonly customerId: string }) => {
  const trpc = useTRPC()
  const orders = useQuery(
    trpc.orders.listByCustomer.queryOptions({ customer: { id: customerId }, limit: 20 }),
  )
  return (
    <Card
      title="Orders"
      body={false}
      actions={
        <Link
          className="small"
          to={feedLink(customerId, [
            "OrderPlaced",
            "OrderPaid",
            "OrderStatusChanged",
            "OrderReturned",
          ])}
        >
          Order actions →
        </Link>
      }
    >
      {orders.isPending ? (
        <Loading />
      ) : orders.isError ? (
        <div className="card-body">
          <ErrorBox error={orders.error} />
        </div>
      ) : orders.data.length === 0 ? (
        <div className="card-body muted">No orders.</div>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Order</th>
              <th>Status</th>
              <th className="num">Total</th>
              <th>Placed</th>
            </tr>
          </thead>
          <tbody>
            {orders.data.map((o) => (
              <tr key={o.orderId}>
                <td className="mono small">{o.orderId}</td>
                <td>
                  <Badge
                    tone={o.status === "cancelled" || o.status === "returned" ? "danger" : "ok"}
                  >
                    {o.status}
                  </Badge>
                </td>
                <td className="num">{formatMoney(o.snapshot.totals.total, o.snapshot.currency)}</td>
                <td
                  className="small nowrap"
                  title={`Recorded ${formatDateTime(o.createdAt)}`}
                  data-testid="order-placed"
                >
                  {formatDate(o.placedAt ?? o.createdAt)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  )
}

export const BonusCard = ({ customerId }: { readonly customerId: string }) => {
  const trpc = useTRPC()
  const balances = useQuery(trpc.rewards.balances.queryOptions({ customer: { id: customerId } }))
  return (
    <Card
      title="Bonus points"
      actions={
        <Link className="small" to={feedLink(customerId, ["BonusPointsChanged", "RewardIssued"])}>
          History →
        </Link>
      }
    >
      {balances.isPending ? (
        <Loading />
      ) : balances.isError ? (
        <ErrorBox error={balances.error} />
      ) : balances.data.length === 0 ? (
        <p className="muted">No bonus balance.</p>
      ) : (
        <div className="toolbar" style={{ gap: 24 }}>
          {balances.data.map((b) => (
            <div className="stat" key={b.kind}>
              <span className="stat-value">{formatNumber(b.balance)}</span>
              <span className="stat-label">{b.kind}</span>
            </div>
          ))}
        </div>
      )}
    </Card>
  )
}
