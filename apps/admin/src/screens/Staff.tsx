import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query"
import { useState } from "react"
import { useMe } from "../auth"
import { formatDateTime } from "../format"
import { useTRPC } from "../trpc"
import { Badge, Card, Empty, ErrorBox, Loading, Modal, PageHeader, FormActions } from "../ui/common"

export const StaffPage = () => {
  const trpc = useTRPC()
  const me = useMe()
  const queryClient = useQueryClient()
  const staff = useQuery(trpc.staff.list.queryOptions())
  const roles = useQuery(trpc.roles.list.queryOptions())
  const [creating, setCreating] = useState(false)
  const invalidate = () => queryClient.invalidateQueries(trpc.staff.list.queryFilter())
  const updateRole = useMutation(trpc.staff.updateRole.mutationOptions({ onSuccess: invalidate }))
  const disable = useMutation(trpc.staff.disable.mutationOptions({ onSuccess: invalidate }))
  const enable = useMutation(trpc.staff.enable.mutationOptions({ onSuccess: invalidate }))
  const mutationError = updateRole.error ?? disable.error ?? enable.error

  return (
    <div className="page">
      <PageHeader
        title="Staff"
        sub="People who sign in to this admin app; their role decides what they see and may change."
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
            Add staff user
          </button>
        }
      />
      {mutationError ? <ErrorBox error={mutationError} /> : null}
      <Card body={false}>
        {staff.isPending ? (
          <Loading />
        ) : staff.isError ? (
          <div className="card-body">
            <ErrorBox error={staff.error} />
          </div>
        ) : staff.data.length === 0 ? (
          <Empty title="No staff users" />
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Email</th>
                <th>Role</th>
                <th>Last sign-in</th>
                <th>Status</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {staff.data.map((u) => (
                <tr key={u.id}>
                  <td>
                    {u.name} {u.id === me.id ? <Badge tone="accent">you</Badge> : null}
                  </td>
                  <td className="mono small">{u.email}</td>
                  <td>
                    <select
                      className="select"
                      style={{ width: 140 }}
                      aria-label={`Role of ${u.email}`}
                      value={u.role}
                      onChange={(e) => updateRole.mutate({ id: u.id, role: e.target.value })}
                    >
                      {(roles.data ?? [{ name: u.role }]).map((r) => (
                        <option key={r.name} value={r.name}>
                          {r.name}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className="small">
                    {u.lastSignInAt ? (
                      formatDateTime(u.lastSignInAt)
                    ) : (
                      <span className="muted">never</span>
                    )}
                  </td>
                  <td>
                    {u.disabled ? (
                      <Badge tone="danger">disabled</Badge>
                    ) : (
                      <Badge tone="ok">active</Badge>
                    )}
                  </td>
                  <td className="num">
                    {u.disabled ? (
                      <button
                        type="button"
                        className="btn btn-sm"
                        onClick={() => enable.mutate({ id: u.id })}
                      >
                        Enable
                      </button>
                    ) : u.id !== me.id ? (
                      <button
                        type="button"
                        className="btn btn-sm btn-danger"
                        onClick={() => disable.mutate({ id: u.id })}
                      >
                        Disable
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      {creating ? (
        <CreateStaff
          roles={(roles.data ?? []).map((r) => r.name)}
          onClose={() => setCreating(false)}
        />
      ) : null}
    </div>
  )
}

const CreateStaff = ({
  roles,
  onClose,
}: {
  readonly roles: ReadonlyArray<string>
  readonly onClose: () => void
}) => {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const [email, setEmail] = useState("")
  const [name, setName] = useState("")
  const [role, setRole] = useState(roles[0] ?? "support")
  const [password, setPassword] = useState("")
  const create = useMutation(
    trpc.staff.create.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.staff.list.queryFilter()),
    }),
  )
  if (create.data)
    return (
      <Modal title="Staff user added" onClose={onClose}>
        <p>
          <strong>{create.data.staff.name}</strong> ({create.data.staff.email}) can sign in now.
        </p>
        {create.data.generatedPassword ? (
          <div className="alert alert-info">
            Generated password (shown once): <code>{create.data.generatedPassword}</code>
          </div>
        ) : null}
        <div className="form-actions">
          <button type="button" className="btn btn-primary" onClick={onClose}>
            Done
          </button>
        </div>
      </Modal>
    )
  return (
    <Modal title="Add staff user" onClose={onClose}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault()
          create.mutate({ email, name, role, ...(password ? { password } : {}) })
        }}
      >
        {create.error ? <ErrorBox error={create.error} /> : null}
        <div className="field">
          <label htmlFor="staff-name">Name</label>
          <input
            id="staff-name"
            className="input"
            required
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="staff-email">Email</label>
          <input
            id="staff-email"
            className="input"
            type="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="staff-role">Role</label>
          <select
            id="staff-role"
            className="select"
            value={role}
            onChange={(e) => setRole(e.target.value)}
          >
            {roles.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="staff-password">Password</label>
          <input
            id="staff-password"
            className="input"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <span className="hint">Leave empty to generate one.</span>
        </div>
        <FormActions onCancel={onClose} disabled={create.isPending} submitLabel="Add" />
      </form>
    </Modal>
  )
}
