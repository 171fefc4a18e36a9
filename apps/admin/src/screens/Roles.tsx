import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query"
import { useState } from "react"
import type { Permission } from "../auth"
import { type RouterOutputs, useTRPC } from "../trpc"
import {
  Badge,
  Card,
  ErrorBox,
  Loading,
  Modal,
  PageHeader,
  FormActions,
  CheckboxGroup,
} from "../ui/common"

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
  ["webhooks.manage", "Manage webhooks: targets, secrets, pause, resume and replay"],
]

type Role = RouterOutputs["roles"]["list"][number]

export const RolesPage = () => {
  const trpc = useTRPC()
  const roles = useQuery(trpc.roles.list.queryOptions())
  const [creating, setCreating] = useState(false)
  const [editing, setEditing] = useState<Role | null>(null)
  const [removing, setRemoving] = useState<Role | null>(null)
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
              testId={`role-${r.name}`}
              title={
                <>
                  {r.name} {r.builtIn ? <Badge tone="outline">built-in</Badge> : null}
                </>
              }
              actions={
                // Built-in roles are fixed by the product: nothing to edit or delete.
                r.builtIn ? undefined : (
                  <>
                    <button
                      type="button"
                      className="btn btn-sm"
                      aria-label={`Edit role ${r.name}`}
                      onClick={() => setEditing(r)}
                    >
                      Edit
                    </button>
                    <button
                      type="button"
                      className="btn btn-sm btn-danger"
                      aria-label={`Delete role ${r.name}`}
                      onClick={() => setRemoving(r)}
                    >
                      Delete
                    </button>
                  </>
                )
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
      {editing ? <EditRole role={editing} onClose={() => setEditing(null)} /> : null}
      {removing ? <RemoveRole role={removing} onClose={() => setRemoving(null)} /> : null}
    </div>
  )
}

interface RoleValues {
  readonly name: string
  readonly description: string
  readonly permissions: ReadonlyArray<Permission>
}

/** The role form of the create and edit dialogs; the name is fixed once the role exists. */
const RoleForm = ({
  initial,
  nameFixed,
  submitLabel,
  pending,
  error,
  onSubmit,
  onCancel,
}: {
  readonly initial: RoleValues
  readonly nameFixed: boolean
  readonly submitLabel: string
  readonly pending: boolean
  readonly error: unknown
  readonly onSubmit: (values: RoleValues) => void
  readonly onCancel: () => void
}) => {
  const [name, setName] = useState(initial.name)
  const [description, setDescription] = useState(initial.description)
  const [permissions, setPermissions] = useState(initial.permissions)
  return (
    <form
      className="form"
      onSubmit={(e) => {
        e.preventDefault()
        onSubmit({ name, description, permissions })
      }}
    >
      {error ? <ErrorBox error={error} /> : null}
      <div className="field">
        <label htmlFor="role-name">Name</label>
        <input
          id="role-name"
          className="input mono"
          required
          readOnly={nameFixed}
          placeholder="e.g. store-manager"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <span className="hint">
          {nameFixed ? "A role keeps its name." : "Lower-case letters, digits and “-”."}
        </span>
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
      <CheckboxGroup
        legend="Permissions"
        options={permissionHelp}
        selected={permissions}
        onChange={setPermissions}
        code
      />
      <FormActions onCancel={onCancel} disabled={pending} submitLabel={submitLabel} />
    </form>
  )
}

const CreateRole = ({ onClose }: { readonly onClose: () => void }) => {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
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
      <RoleForm
        initial={{ name: "", description: "", permissions: ["actions.view"] }}
        nameFixed={false}
        submitLabel="Create role"
        pending={create.isPending}
        error={create.error}
        onSubmit={(values) => create.mutate(values)}
        onCancel={onClose}
      />
    </Modal>
  )
}

const EditRole = ({ role, onClose }: { readonly role: Role; readonly onClose: () => void }) => {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const update = useMutation(
    trpc.roles.update.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.roles.pathKey() })
        // The signed-in user may hold this role: their permissions (and navigation) change too.
        await queryClient.invalidateQueries(trpc.auth.me.queryFilter())
        onClose()
      },
    }),
  )
  return (
    <Modal title={`Edit role ${role.name}`} onClose={onClose}>
      <RoleForm
        initial={role}
        nameFixed
        submitLabel="Save changes"
        pending={update.isPending}
        error={update.error}
        onSubmit={({ description, permissions }) =>
          update.mutate({ name: role.name, description, permissions })
        }
        onCancel={onClose}
      />
    </Modal>
  )
}

const RemoveRole = ({ role, onClose }: { readonly role: Role; readonly onClose: () => void }) => {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const remove = useMutation(
    trpc.roles.remove.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.roles.pathKey() })
        onClose()
      },
    }),
  )
  return (
    <Modal title="Delete role" onClose={onClose}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault()
          remove.mutate({ name: role.name })
        }}
      >
        {/* RoleInUse names how many staff still hold the role. */}
        {remove.error ? <ErrorBox error={remove.error} /> : null}
        <p>
          Delete the role <strong className="mono">{role.name}</strong>? Staff users who hold it
          must be given another role first.
        </p>
        <FormActions
          onCancel={onClose}
          disabled={remove.isPending}
          submitLabel="Delete role"
          danger
        />
      </form>
    </Modal>
  )
}
