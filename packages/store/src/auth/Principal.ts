import type { Permission, Scope } from "./Permissions"

/** Who is calling: an API key (another team's service) or a signed-in staff user. */
export type Principal = ApiKeyPrincipal | StaffPrincipal

export interface ApiKeyPrincipal {
  readonly kind: "apiKey"
  readonly id: string
  readonly name: string
  readonly scopes: ReadonlyArray<Scope>
}

export interface StaffPrincipal {
  readonly kind: "staff"
  readonly id: string
  readonly email: string
  readonly name: string
  readonly role: string
  readonly permissions: ReadonlyArray<Permission>
  /** SHA-256 of the session token, so sign-out can end exactly this session. */
  readonly sessionId: string
}

/** How the audit log and action provenance name the principal. */
export const principalLabel = (p: Principal): string =>
  p.kind === "apiKey" ? `apiKey:${p.name}` : `staff:${p.email}`
