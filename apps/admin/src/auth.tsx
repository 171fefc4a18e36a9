/** The signed-in staff user and what their role allows. */
import { createContext, type ReactNode, useContext } from "react"

export interface Me {
  readonly id: string
  readonly email: string
  readonly name: string
  readonly role: string
  readonly permissions: ReadonlyArray<string>
}

const MeContext = createContext<Me | null>(null)

export const MeProvider = ({ me, children }: { readonly me: Me; readonly children: ReactNode }) => (
  <MeContext.Provider value={me}>{children}</MeContext.Provider>
)

export const useMe = (): Me => {
  const me = useContext(MeContext)
  if (!me) throw new Error("useMe() outside of a signed-in session")
  return me
}

/** Permission names as the API's roles define them. */
export type Permission =
  | "actions.view"
  | "actions.add"
  | "templates.manage"
  | "touchpoints.manage"
  | "settings.manage"
  | "customers.edit"
  | "staff.manage"
  | "apiKeys.manage"
  | "audit.view"
  | "export"
  | "erase"
  | "webhooks.manage"
  | "segments.manage"

export const useCan = (): ((permission: Permission) => boolean) => {
  const me = useMe()
  return (permission) => me.permissions.includes(permission)
}
