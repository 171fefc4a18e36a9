import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query"
import { useState } from "react"
import { formatDateTime, fromLocalInput } from "../format"
import { Link } from "../router"
import { useTRPC } from "../trpc"
import { Badge, Card, Empty, ErrorBox, FormActions, Loading, Modal, PageHeader } from "../ui/common"

type State = "active" | "retrying" | "paused"
const stateTone: Record<State, "ok" | "warn" | "danger"> = {
  active: "ok",
  retrying: "warn",
  paused: "danger",
}

const StateBadge = ({ state }: { readonly state: State }) => (
  <Badge tone={stateTone[state]}>{state}</Badge>
)

const lag = (seconds: number) =>
  seconds < 1
    ? "caught up"
    : seconds < 120
      ? `${Math.round(seconds)} s behind`
      : `${Math.round(seconds / 60)} min behind`

export const WebhooksPage = () => {
  const trpc = useTRPC()
  const hooks = useQuery({ ...trpc.webhooks.list.queryOptions(), refetchInterval: 2000 })
  const [creating, setCreating] = useState(false)
  return (
    <div className="page">
      <PageHeader
        title="Webhooks"
        sub="Signed HTTP deliveries of new actions to other teams' endpoints, in recorded order, retried for 24 hours."
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
            Create webhook
          </button>
        }
      />
      <Card body={false}>
        {hooks.isPending ? (
          <Loading />
        ) : hooks.isError ? (
          <div className="card-body">
            <ErrorBox error={hooks.error} />
          </div>
        ) : hooks.data.length === 0 ? (
          <Empty title="No webhooks yet" />
        ) : (
          <table className="table" data-testid="webhooks-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Target</th>
                <th>State</th>
                <th>Delivered up to</th>
                <th>Lag</th>
              </tr>
            </thead>
            <tbody>
              {hooks.data.map((w) => (
                <tr key={w.id}>
                  <td>
                    <Link to={`/webhooks/${encodeURIComponent(w.id)}`}>{w.name}</Link>
                  </td>
                  <td className="mono small">{w.url}</td>
                  <td>
                    <StateBadge state={w.state} />
                    {w.pausedReason ? <div className="muted small">{w.pausedReason}</div> : null}
                  </td>
                  <td className="small">
                    {w.deliveredUpTo ? formatDateTime(w.deliveredUpTo) : "—"}
                  </td>
                  <td className="small">{lag(w.lagSeconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      {creating ? <CreateWebhook onClose={() => setCreating(false)} /> : null}
    </div>
  )
}

const SecretShown = ({
  secret,
  onClose,
}: {
  readonly secret: string
  readonly onClose: () => void
}) => (
  <Modal title="Signing secret" onClose={onClose}>
    <div className="alert alert-info">
      Copy the secret now — it is not shown again. Receivers verify deliveries with it (Standard
      Webhooks).
      <pre className="json" style={{ marginTop: 8 }} data-testid="webhook-secret">
        {secret}
      </pre>
    </div>
    <div className="form-actions">
      <button type="button" className="btn btn-primary" onClick={onClose}>
        Done
      </button>
    </div>
  </Modal>
)

const CreateWebhook = ({ onClose }: { readonly onClose: () => void }) => {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const [name, setName] = useState("")
  const [url, setUrl] = useState("")
  const [templates, setTemplates] = useState("")
  const create = useMutation(
    trpc.webhooks.create.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.webhooks.list.queryFilter()),
    }),
  )
  if (create.data) return <SecretShown secret={create.data.secret} onClose={onClose} />
  const list = templates
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "")
  return (
    <Modal title="Create webhook" onClose={onClose}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault()
          create.mutate({ name, url, ...(list.length > 0 ? { filter: { templates: list } } : {}) })
        }}
      >
        {create.error ? <ErrorBox error={create.error} /> : null}
        <div className="field">
          <label htmlFor="webhook-name">Name</label>
          <input
            id="webhook-name"
            className="input"
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="webhook-url">Target URL</label>
          <input
            id="webhook-url"
            className="input"
            required
            placeholder="https://example.com/hooks/actionlog"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="webhook-templates">Templates (comma-separated; empty = all)</label>
          <input
            id="webhook-templates"
            className="input"
            placeholder="OrderPlaced, OrderPaid"
            value={templates}
            onChange={(e) => setTemplates(e.target.value)}
          />
        </div>
        <FormActions onCancel={onClose} disabled={create.isPending} submitLabel="Create" />
      </form>
    </Modal>
  )
}

export const WebhookPage = ({ id }: { readonly id: string }) => {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const detail = useQuery({
    ...trpc.webhooks.get.queryOptions({ id, attempts: 20 }),
    refetchInterval: 1000,
  })
  const refresh = () => queryClient.invalidateQueries(trpc.webhooks.get.queryFilter())
  const options = { onSuccess: refresh }
  const test = useMutation(trpc.webhooks.test.mutationOptions(options))
  const pause = useMutation(trpc.webhooks.pause.mutationOptions(options))
  const resume = useMutation(trpc.webhooks.resume.mutationOptions(options))
  const replay = useMutation(trpc.webhooks.replay.mutationOptions(options))
  const rotate = useMutation(trpc.webhooks.rotateSecret.mutationOptions(options))
  const [from, setFrom] = useState("")
  const [secretShown, setSecretShown] = useState(false)
  const error = test.error ?? pause.error ?? resume.error ?? replay.error ?? rotate.error
  if (detail.isPending) return <Loading />
  if (detail.isError) return <ErrorBox error={detail.error} />
  const { webhook: w, attempts } = detail.data
  return (
    <div className="page">
      <PageHeader
        crumbs={<Link to="/webhooks">Webhooks</Link>}
        title={w.name}
        sub={<span className="mono">{w.url}</span>}
        actions={
          <>
            <button
              type="button"
              className="btn"
              disabled={test.isPending}
              onClick={() => test.mutate({ id })}
            >
              Send test
            </button>
            {w.active ? (
              <button type="button" className="btn" onClick={() => pause.mutate({ id })}>
                Pause
              </button>
            ) : (
              <button
                type="button"
                className="btn btn-primary"
                onClick={() => resume.mutate({ id })}
              >
                Resume
              </button>
            )}
            <button
              type="button"
              className="btn"
              onClick={() => {
                if (
                  window.confirm("Rotate the secret? The current one keeps working for 24 hours.")
                )
                  rotate.mutate({ id }, { onSuccess: () => setSecretShown(true) })
              }}
            >
              Rotate secret
            </button>
          </>
        }
      />
      {error ? <ErrorBox error={error} /> : null}
      {test.data ? (
        <div
          className={`alert ${test.data.ok ? "alert-info" : "alert-error"}`}
          data-testid="test-result"
        >
          Test {test.data.ok ? "delivered" : "failed"}: {test.data.status ?? "no response"} in{" "}
          {test.data.latencyMs} ms{test.data.error ? ` — ${test.data.error}` : ""}
        </div>
      ) : null}
      <Card title="State">
        <dl className="kv" data-testid="webhook-state">
          <dt>State</dt>
          <dd>
            <StateBadge state={w.state} />
          </dd>
          {w.pausedReason ? (
            <>
              <dt>Reason</dt>
              <dd data-testid="paused-reason">{w.pausedReason}</dd>
            </>
          ) : null}
          <dt>Delivered up to</dt>
          <dd>{w.deliveredUpTo ? formatDateTime(w.deliveredUpTo) : "—"}</dd>
          <dt>Lag</dt>
          <dd>{lag(w.lagSeconds)}</dd>
          <dt>Failures in a row</dt>
          <dd>
            {w.failures}
            {w.nextAttemptAt ? ` (next attempt ${formatDateTime(w.nextAttemptAt)})` : ""}
          </dd>
          <dt>Filter</dt>
          <dd className="mono small">{JSON.stringify(w.filter)}</dd>
        </dl>
        <form
          style={{ display: "flex", gap: 8, alignItems: "center", marginTop: 12 }}
          onSubmit={(e) => {
            e.preventDefault()
            const recordedAt = fromLocalInput(from)
            if (recordedAt !== undefined) replay.mutate({ id, recordedAt })
          }}
        >
          <label htmlFor="replay-from">Replay from</label>
          <input
            id="replay-from"
            type="datetime-local"
            className="input"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
          />
          <button type="submit" className="btn" disabled={from === "" || replay.isPending}>
            Replay
          </button>
        </form>
      </Card>
      <Card title="Last attempts" body={false}>
        {attempts.length === 0 ? (
          <Empty title="No attempts yet" />
        ) : (
          <table className="table" data-testid="attempts-table">
            <thead>
              <tr>
                <th>At</th>
                <th>Delivery</th>
                <th>Actions</th>
                <th>Result</th>
                <th>Latency</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {attempts.map((a) => (
                <tr key={a.id}>
                  <td className="small">{formatDateTime(a.at)}</td>
                  <td className="mono small">{a.deliveryId}</td>
                  <td>{a.test ? <Badge tone="outline">test</Badge> : a.actions}</td>
                  <td>
                    <Badge tone={a.ok ? "ok" : "danger"}>{a.status ?? "no response"}</Badge>
                    {a.error ? <span className="muted small"> {a.error}</span> : null}
                  </td>
                  <td className="small">{a.latencyMs} ms</td>
                  <td className="num">
                    {a.test ? null : (
                      <button
                        type="button"
                        className="btn btn-sm"
                        onClick={() => replay.mutate({ id, deliveryId: a.deliveryId })}
                      >
                        Replay from here
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      {secretShown && rotate.data ? (
        <SecretShown secret={rotate.data.secret} onClose={() => setSecretShown(false)} />
      ) : null}
    </div>
  )
}
