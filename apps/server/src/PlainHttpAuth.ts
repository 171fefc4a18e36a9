/**
 * Authentication and authorization for the server's plain HTTP routes (`/api/export/actions`,
 * `/api/import`), which stream bodies tRPC cannot: the same credentials as tRPC (API key or staff
 * session), checked against one scope / permission, with errors shaped like tRPC's.
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import type { makeCreateContext } from "@actionlog/api"
import { scopeAllows, type Permission, type Principal, type Scope } from "@actionlog/store"

/** A JSON error body in the shape tRPC clients already understand. */
export const errorJson = (
  res: ServerResponse,
  status: number,
  code: string,
  tag: string,
  message: string,
) => {
  res.writeHead(status, { "content-type": "application/json" })
  res.end(
    JSON.stringify({
      error: { message, data: { code, httpStatus: status, tag, fieldPath: null, details: null } },
    }),
  )
}

/**
 * The caller, if authenticated and allowed (`scope` for API keys, `permission` for staff);
 * otherwise answers 401 / 403 and returns `undefined`. The request body is drained on refusal.
 */
export const authorizeRequest = async (
  createContext: ReturnType<typeof makeCreateContext>,
  req: IncomingMessage,
  res: ServerResponse,
  rule: { readonly scope: Scope; readonly permission: Permission },
): Promise<Principal | undefined> => {
  const ctx = createContext({
    header: (name) => {
      const v = req.headers[name]
      return Array.isArray(v) ? v.join(", ") : v
    },
    ip: req.socket.remoteAddress ?? "unknown",
    setHeader: () => {},
  })
  let principal: Principal
  try {
    principal = await ctx.authenticate()
  } catch (error) {
    const e = error as { message?: string; code?: string }
    const status = e.code === "UNAUTHORIZED" ? 401 : e.code === "FORBIDDEN" ? 403 : 500
    errorJson(res, status, e.code ?? "INTERNAL_SERVER_ERROR", "Unauthenticated", e.message ?? "")
    req.resume()
    return undefined
  }
  const allowed =
    principal.kind === "apiKey"
      ? scopeAllows(principal.scopes, rule.scope)
      : principal.permissions.includes(rule.permission)
  if (!allowed) {
    errorJson(
      res,
      403,
      "FORBIDDEN",
      "Forbidden",
      principal.kind === "apiKey"
        ? `This API key lacks the '${rule.scope}' scope`
        : `Role '${principal.role}' lacks the '${rule.permission}' permission`,
    )
    req.resume()
    return undefined
  }
  return principal
}
