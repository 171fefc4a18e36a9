/** Erasure (right to be forgotten) and the customer's data download, on the profile page. */
import { useMutation, useQueryClient } from "@tanstack/react-query"
import { useState } from "react"
import { navigate } from "../router"
import { type RouterOutputs, useTRPC } from "../trpc"
import { ErrorBox, Modal } from "../ui/common"

type CustomerData = RouterOutputs["customers"]["get"]

export const EraseCustomer = ({
  customer,
  onClose,
}: {
  readonly customer: CustomerData
  readonly onClose: () => void
}) => {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const email = customer.identifiers.find((i) => i.kind === "email")?.value
  const [typed, setTyped] = useState("")
  // Typing the email (or the id) makes erasing the wrong customer by a stray click impossible.
  const matches = typed.trim() !== "" && (typed.trim() === email || typed.trim() === customer.id)
  const erase = useMutation(
    trpc.erasure.erase.mutationOptions({
      onSuccess: async () => {
        queryClient.removeQueries({ queryKey: trpc.customers.get.queryKey({ id: customer.id }) })
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.customers.pathKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.actions.pathKey() }),
        ])
        navigate("/customers?erased=1")
      },
    }),
  )
  return (
    <Modal title="Erase customer" onClose={onClose}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault()
          if (matches) erase.mutate({ customerId: customer.id })
        }}
      >
        <div className="alert alert-error" role="note">
          Erasure removes this customer’s profile and <strong>every action</strong> recorded for
          them, from every table. Their identifiers are suppressed, so later events for them are
          rejected. <strong>This cannot be undone.</strong>
        </div>
        {erase.error ? <ErrorBox error={erase.error} /> : null}
        <div className="field">
          <label htmlFor="erase-confirm">
            Type{" "}
            {email ? (
              <>
                the email <strong>{email}</strong> or{" "}
              </>
            ) : null}
            the id <span className="mono">{customer.id}</span> to confirm
          </label>
          <input
            id="erase-confirm"
            className="input"
            autoComplete="off"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
          />
        </div>
        <div className="toolbar">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-danger" disabled={!matches || erase.isPending}>
            {erase.isPending ? "Erasing…" : "Erase for ever"}
          </button>
        </div>
      </form>
    </Modal>
  )
}

/** Fetches `exports.customer` (audited on the server) and saves it as a JSON file. */
export const DownloadCustomerData = ({
  customerId,
}: {
  readonly customerId: CustomerData["id"]
}) => {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const download = useMutation({
    mutationFn: () =>
      queryClient.fetchQuery({
        ...trpc.exports.customer.queryOptions({ customerId }),
        staleTime: 0,
      }),
    onSuccess: (data) => {
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" })
      const url = URL.createObjectURL(blob)
      const a = document.createElement("a")
      a.href = url
      a.download = `customer-${customerId}.json`
      document.body.append(a)
      a.click()
      a.remove()
      // Revoke later: the browser reads the blob after the click returns.
      setTimeout(() => URL.revokeObjectURL(url), 10_000)
    },
  })
  return (
    <>
      <button
        type="button"
        className="btn"
        onClick={() => download.mutate()}
        disabled={download.isPending}
        data-testid="download-customer"
      >
        {download.isPending ? "Preparing…" : "Download data"}
      </button>
      {download.error ? <ErrorBox error={download.error} /> : null}
    </>
  )
}
