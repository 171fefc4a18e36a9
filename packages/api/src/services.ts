import type { ApiKeys, AuditLog, Auth, Roles, StaffUsers, StoreServices } from "@actionlog/store"

/** Everything the procedures need from the server's runtime (the server provides the layers). */
export type ApiServices = StoreServices | Auth | ApiKeys | StaffUsers | Roles | AuditLog
