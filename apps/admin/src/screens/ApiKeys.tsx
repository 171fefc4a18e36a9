import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query"
import { useState } from "react"
import { formatDateTime } from "../format"
import { useTRPC } from "../trpc"
import {
  Badge,
  Card,
  Empty,
  ErrorBox,
  Loading,
  Modal,
  PageHeader,
  FormActions,
  CheckboxGroup,
} from "../ui/common"

const allScopes = ["ingest", "read", "admin"] as const
type Scope = (typeof allScopes)[number]
const scopeHelp: Record<Scope, string> = {
  ingest: "record actions",
  read: "read feeds, actions and registries",
  admin: "everything, including configuration",
}

export const ApiKeysPage = () => {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const keys = useQuery(trpc.apiKeys.list.queryOptions())
  const [creating, setCreating] = useState(false)
  const revoke = useMutation(
    trpc.apiKeys.revoke.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.apiKeys.list.queryFilter()),
    }),
  )
  return (
    <div className="page">
      <PageHeader
        title="API keys"
        sub="Keys for internal services. A key is shown once when created and stored only hashed."
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
            Create key
          </button>
        }
      />
      {revoke.error ? <ErrorBox error={revoke.error} /> : null}
      <Card body={false}>
        {keys.isPending ? (
          <Loading />
        ) : keys.isError ? (
          <div className="card-body">
            <ErrorBox error={keys.error} />
          </div>
        ) : keys.data.length === 0 ? (
          <Empty title="No API keys yet" />
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Key</th>
                <th>Scopes</th>
                <th>Created</th>
                <th>Status</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {keys.data.map((k) => (
                <tr key={k.id}>
                  <td>{k.name}</td>
                  <td className="mono small">{k.displayPrefix}…</td>
                  <td>
                    <div className="badges">
                      {k.scopes.map((s) => (
                        <Badge key={s} tone="accent">
                          {s}
                        </Badge>
                      ))}
                    </div>
                  </td>
                  <td className="small">
                    {formatDateTime(k.createdAt)}
                    <div className="muted">{k.createdBy}</div>
                  </td>
                  <td>
                    {k.revokedAt ? (
                      <Badge tone="danger" title={`by ${k.revokedBy ?? "?"}`}>
                        revoked {formatDateTime(k.revokedAt)}
                      </Badge>
                    ) : (
                      <Badge tone="ok">active</Badge>
                    )}
                  </td>
                  <td className="num">
                    {k.revokedAt ? null : (
                      <button
                        type="button"
                        className="btn btn-sm btn-danger"
                        onClick={() => {
                          if (window.confirm(`Revoke "${k.name}"? Services using it stop at once.`))
                            revoke.mutate({ id: k.id })
                        }}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      {creating ? <CreateKey onClose={() => setCreating(false)} /> : null}
    </div>
  )
}

const CreateKey = ({ onClose }: { readonly onClose: () => void }) => {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const [name, setName] = useState("")
  const [scopes, setScopes] = useState<ReadonlyArray<Scope>>(["ingest"])
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.apiKeys.list.queryFilter()),
    }),
  )
  if (create.data)
    return (
      <Modal title="API key created" onClose={onClose}>
        <div className="alert alert-info">
          Copy the key now — it is not shown again.
          <pre className="json" style={{ marginTop: 8 }} data-testid="new-api-key">
            {create.data.key}
          </pre>
        </div>
        <div className="form-actions">
          <button type="button" className="btn btn-primary" onClick={onClose}>
            Done
          </button>
        </div>
      </Modal>
    )
  return (
    <Modal title="Create API key" onClose={onClose}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault()
          const [first, ...rest] = scopes
          if (first) create.mutate({ name, scopes: [first, ...rest] })
        }}
      >
        {create.error ? <ErrorBox error={create.error} /> : null}
        <div className="field">
          <label htmlFor="key-name">Name</label>
          <input
            id="key-name"
            className="input"
            required
            placeholder="e.g. checkout-service"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <CheckboxGroup
          legend="Scopes"
          options={allScopes.map((s) => [s, scopeHelp[s]] as const)}
          selected={scopes}
          onChange={setScopes}
        />
        <FormActions
          onCancel={onClose}
          disabled={create.isPending || scopes.length === 0}
          submitLabel="Create"
        />
      </form>
    </Modal>
  )
}
