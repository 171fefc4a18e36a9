import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query"
import { useState } from "react"
import type { Permission } from "../auth"
import { useTRPC } from "../trpc"
import { Badge, Card, ErrorBox, Loading, Modal, PageHeader, FormActions } from "../ui/common"

const permissionHelp: ReadonlyArray<readonly [Permission, string]> = [
  ["actions.view", "See feeds, actions, customers and the registries"],
  ["actions.add", "Assign actions to customers by hand"],
  ["customers.edit", "Create customers and correct profiles"],
  ["templates.manage", "Create and change templates"],
  ["touchpoints.manage", "Manage channels and touchpoints"],
  ["settings.manage", "Manage brands and project settings"],
  ["staff.manage", "Manage staff users and roles"],
  ["apiKeys.manage", "Create and revoke API keys"],
  ["audit.view", "Read the audit log"],
  ["export", "Export customers and actions"],
  ["erase", "Erase customers"],
]

export const RolesPage = () => {
  const trpc = useTRPC()
  const roles = useQuery(trpc.roles.list.queryOptions())
  const [creating, setCreating] = useState(false)
  return (
    <div className="page">
      <PageHeader
        title="Roles"
        sub="What each role may see and do. Assign roles on the Staff page."
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
            New role
          </button>
        }
      />
      {roles.isPending ? (
        <Loading />
      ) : roles.isError ? (
        <ErrorBox error={roles.error} />
      ) : (
        <div className="grid grid-2">
          {roles.data.map((r) => (
            <Card
              key={r.name}
              title={
                <>
                  {r.name} {r.builtIn ? <Badge tone="outline">built-in</Badge> : null}
                </>
              }
            >
              <p className="muted" style={{ marginBottom: 10 }}>
                {r.description || "No description."}
              </p>
              <div className="badges">
                {r.permissions.length === 0 ? (
                  <span className="muted small">No permissions.</span>
                ) : null}
                {r.permissions.map((p) => (
                  <Badge key={p} tone="accent">
                    {p}
                  </Badge>
                ))}
              </div>
            </Card>
          ))}
        </div>
      )}
      {creating ? <CreateRole onClose={() => setCreating(false)} /> : null}
    </div>
  )
}

const CreateRole = ({ onClose }: { readonly onClose: () => void }) => {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const [name, setName] = useState("")
  const [description, setDescription] = useState("")
  const [permissions, setPermissions] = useState<ReadonlyArray<Permission>>(["actions.view"])
  const create = useMutation(
    trpc.roles.create.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.roles.pathKey() })
        onClose()
      },
    }),
  )
  return (
    <Modal title="New role" onClose={onClose}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault()
          create.mutate({ name, description, permissions })
        }}
      >
        {create.error ? <ErrorBox error={create.error} /> : null}
        <div className="field">
          <label htmlFor="role-name">Name</label>
          <input
            id="role-name"
            className="input mono"
            required
            placeholder="e.g. store-manager"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <span className="hint">Lower-case letters, digits and “-”.</span>
        </div>
        <div className="field">
          <label htmlFor="role-desc">Description</label>
          <input
            id="role-desc"
            className="input"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </div>
        <fieldset className="field" style={{ border: 0, padding: 0, margin: 0 }}>
          <legend className="field-label">Permissions</legend>
          {permissionHelp.map(([p, help]) => (
            <label key={p} className="checkbox">
              <input
                type="checkbox"
                checked={permissions.includes(p)}
                onChange={(e) =>
                  setPermissions(
                    e.target.checked ? [...permissions, p] : permissions.filter((x) => x !== p),
                  )
                }
              />
              <span className="mono small">{p}</span> <span className="muted small">— {help}</span>
            </label>
          ))}
        </fieldset>
        <FormActions onCancel={onClose} disabled={create.isPending} submitLabel="Create role" />
      </form>
    </Modal>
  )
}
