import { Schema } from "effect"

/** What an API key may do. `admin` includes `read` and `ingest`. */
export const Scope = Schema.Literals(["ingest", "read", "admin"])
export type Scope = typeof Scope.Type

export const scopes: ReadonlyArray<Scope> = ["ingest", "read", "admin"]

/** What a staff role may do. */
export const Permission = Schema.Literals([
  "actions.view",
  "actions.add",
  "templates.manage",
  "touchpoints.manage",
  "settings.manage",
  "customers.edit",
  "staff.manage",
  "apiKeys.manage",
  "audit.view",
  "export",
  "erase",
  "webhooks.manage",
  // Create, rename and delete saved segments (reading them needs actions.view).
  "segments.manage",
])
export type Permission = typeof Permission.Type

export const permissions: ReadonlyArray<Permission> = Permission.literals

export interface RoleDefinition {
  readonly name: string
  readonly description: string
  readonly permissions: ReadonlyArray<Permission>
}

/** Roles every project has; stored by migration 0002 so they are queryable with custom ones. */
export const builtInRoles: ReadonlyArray<RoleDefinition> = [
  {
    name: "admin",
    description: "Everything, including staff, API keys, export and erasure.",
    permissions,
  },
  {
    name: "manager",
    description:
      "Runs the project: templates, touchpoints, channels, brands, settings, customer corrections and manual actions; reads the audit log.",
    permissions: [
      "actions.view",
      "actions.add",
      "templates.manage",
      "touchpoints.manage",
      "settings.manage",
      "customers.edit",
      "audit.view",
      "export",
      "segments.manage",
    ],
  },
  {
    name: "analyst",
    description: "Reads actions, customers and configuration; exports.",
    permissions: ["actions.view", "export", "segments.manage"],
  },
  {
    name: "support",
    description: "Reads customers and their feeds, corrects profiles and adds manual actions.",
    permissions: ["actions.view", "actions.add", "customers.edit"],
  },
]

/** Whether a key with `granted` scopes satisfies `required`: admin implies every scope. */
export const scopeAllows = (granted: ReadonlyArray<Scope>, required: Scope): boolean =>
  granted.includes(required) || granted.includes("admin")
