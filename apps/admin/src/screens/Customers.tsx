import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query"
import { useEffect, useState } from "react"
import { useCan } from "../auth"
import { formatDate, initials } from "../format"
import { Link, navigate, useSearchParams } from "../router"
import { useTRPC } from "../trpc"
import { Card, Empty, ErrorBox, Loading, Modal, PageHeader, FormActions } from "../ui/common"
import { customerName } from "./customerName"

const useDebounced = <T,>(value: T, ms: number): T => {
  const [v, setV] = useState(value)
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms)
    return () => clearTimeout(t)
  }, [value, ms])
  return v
}

export const CustomersPage = () => {
  const trpc = useTRPC()
  const can = useCan()
  const [params, setParams] = useSearchParams()
  const [text, setText] = useState(params.get("q") ?? "")
  const q = useDebounced(text.trim(), 250)
  const [creating, setCreating] = useState(false)

  // Keep the search in the URL so Back returns to the same results.
  useEffect(() => {
    const next = new URLSearchParams(params)
    if (q) next.set("q", q)
    else next.delete("q")
    if (next.toString() !== params.toString()) setParams(next)
  }, [q, params, setParams])

  const results = useQuery(
    trpc.customers.search.queryOptions(
      { query: q, limit: 50 },
      { enabled: q.length > 0, placeholderData: keepPreviousData },
    ),
  )
  const items = results.data ?? []

  return (
    <div className="page">
      <PageHeader
        title="Customers"
        sub="Find a customer by name or by any identifier: email, phone, website id, app id, custom ids."
        actions={
          can("customers.edit") ? (
            <button type="button" className="btn" onClick={() => setCreating(true)}>
              New customer
            </button>
          ) : null
        }
      />
      {params.get("erased") ? (
        <div className="alert alert-info" role="status" data-testid="erased-notice">
          The customer was erased: their profile and every action are gone, and their identifiers
          are suppressed.
        </div>
      ) : null}
      <form
        className="search-box"
        role="search"
        onSubmit={(e) => {
          e.preventDefault()
          const first = items[0]
          if (first && items.length === 1) navigate(`/customers/${encodeURIComponent(first.id)}`)
        }}
      >
        <input
          className="input input-lg"
          type="search"
          placeholder="Name, email, phone or any identifier…"
          aria-label="Search customers"
          autoFocus
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </form>
      {!q ? (
        <Card>
          <Empty title="Search for a customer">
            Type at least a few characters of a name or an identifier.
          </Empty>
        </Card>
      ) : results.isPending ? (
        <Loading label="Searching…" />
      ) : results.isError ? (
        <ErrorBox error={results.error} />
      ) : items.length === 0 ? (
        <Card>
          <Empty title="No customers found">Nothing matches “{q}”.</Empty>
        </Card>
      ) : (
        <Card body={false} testId="customer-results">
          <table
            className="table"
            aria-busy={results.isFetching}
            // Results of the previous search stay visible (dimmed) until the new ones arrive.
            style={results.isPlaceholderData ? { opacity: 0.6 } : undefined}
          >
            <thead>
              <tr>
                <th>Customer</th>
                <th>Identifiers</th>
                <th>Tags</th>
                <th>Since</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => {
                const name = customerName(c)
                return (
                  <tr
                    key={c.id}
                    className="clickable"
                    onClick={() => navigate(`/customers/${encodeURIComponent(c.id)}`)}
                  >
                    <td>
                      <div style={{ display: "flex", gap: 10, alignItems: "center" }}>
                        <span className="avatar" style={{ width: 32, height: 32, fontSize: 13 }}>
                          {initials(name)}
                        </span>
                        <Link
                          to={`/customers/${encodeURIComponent(c.id)}`}
                          style={{ fontWeight: 600 }}
                        >
                          {name}
                        </Link>
                      </div>
                    </td>
                    <td className="small">
                      {c.identifiers.map((i) => (
                        <div key={i.kind}>
                          <span className="muted">{i.kind}:</span>{" "}
                          <span className="mono">{i.value}</span>
                        </div>
                      ))}
                    </td>
                    <td className="small">{c.tags.join(", ")}</td>
                    <td className="small nowrap">{formatDate(c.createdAt)}</td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </Card>
      )}
      {creating ? <CreateCustomer onClose={() => setCreating(false)} /> : null}
    </div>
  )
}

const CreateCustomer = ({ onClose }: { readonly onClose: () => void }) => {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const [firstName, setFirstName] = useState("")
  const [lastName, setLastName] = useState("")
  const [email, setEmail] = useState("")
  const [phone, setPhone] = useState("")
  const create = useMutation(
    trpc.customers.create.mutationOptions({
      onSuccess: async (c) => {
        await queryClient.invalidateQueries({ queryKey: trpc.customers.pathKey() })
        navigate(`/customers/${encodeURIComponent(c.id)}`)
      },
    }),
  )
  return (
    <Modal title="New customer" onClose={onClose}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault()
          const identifiers = [
            ...(email.trim() ? [{ kind: "email", value: email.trim() }] : []),
            ...(phone.trim() ? [{ kind: "phone", value: phone.trim() }] : []),
          ]
          create.mutate({
            identifiers,
            // Staff enter people who joined elsewhere (a shop, a call): the feed starts there.
            registered: { method: email.trim() ? "email" : phone.trim() ? "phone" : "other" },
            personal: {
              ...(firstName.trim() ? { firstName: firstName.trim() } : {}),
              ...(lastName.trim() ? { lastName: lastName.trim() } : {}),
            },
          })
        }}
      >
        {create.error ? <ErrorBox error={create.error} /> : null}
        <div className="form-row">
          <div className="field">
            <label htmlFor="nc-first">First name</label>
            <input
              id="nc-first"
              className="input"
              value={firstName}
              onChange={(e) => setFirstName(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="nc-last">Last name</label>
            <input
              id="nc-last"
              className="input"
              value={lastName}
              onChange={(e) => setLastName(e.target.value)}
            />
          </div>
        </div>
        <div className="field">
          <label htmlFor="nc-email">Email</label>
          <input
            id="nc-email"
            className="input"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="nc-phone">Phone</label>
          <input
            id="nc-phone"
            className="input"
            type="tel"
            value={phone}
            onChange={(e) => setPhone(e.target.value)}
          />
        </div>
        <FormActions onCancel={onClose} disabled={create.isPending} submitLabel="Create" />
      </form>
    </Modal>
  )
}
