import { Layer } from "effect"
import { ApiKeys } from "./ApiKeys"
import { AuditLog } from "./AuditLog"
import { Auth } from "./Auth"
import { Roles } from "./Roles"
import { StaffUsers } from "./StaffUsers"

export * from "./ApiKeys"
export * from "./AuditLog"
export * from "./Auth"
export * from "./Errors"
export * from "./Permissions"
export * from "./Principal"
export * from "./Roles"
export * from "./StaffUsers"
export { apiKeyPrefix, generatePassword } from "./Secrets"

/** Every auth service; needs `Database`. */
export const AuthLayer = Layer.mergeAll(
  Auth.layer.pipe(Layer.provideMerge(StaffUsers.layer), Layer.provideMerge(ApiKeys.layer)),
  AuditLog.layer,
).pipe(Layer.provideMerge(Roles.layer))
