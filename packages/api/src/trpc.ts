import { initTRPC, TRPCError } from "@trpc/server"
import { Context as Ctx, Effect, Exit } from "effect"
import type { ManagedRuntime } from "effect"
import type { Permission, Principal, Scope } from "@actionlog/store"
import { Auth, Forbidden, principalLabel, scopeAllows } from "@actionlog/store"
import { errorDetails, fromCause, fromTagged, validationMessage } from "./errors"
import type { ApiServices } from "./services"

// Context, middleware and procedure builders. Every procedure declares who may call it
// (`requires`), and the rule is kept in the procedure's meta so tests and docs can enumerate
// it: a procedure without a rule cannot be built.

/** Who may call a procedure. */
export type AuthRule =
  | { readonly kind: "public" }
  /** Any authenticated principal (e.g. `auth.me`). */
  | { readonly kind: "authenticated" }
  /** `scope: null`: API keys may not call it; `permission: null`: staff may not call it. */
  | { readonly kind: "rule"; readonly scope: Scope | null; readonly permission: Permission | null }

export interface Meta {
  readonly auth: AuthRule
}

/** Sink for request metrics; the server implements it (Prometheus text at /metrics). */
export interface ApiMetrics {
  readonly observe: (path: string, type: string, outcome: string, durationMs: number) => void
  readonly actions: (recorded: number, rejected: number, alreadyProcessed: number) => void
}

export const sessionCookieName = "actionlog_session"

export interface ContextOptions {
  readonly runtime: ManagedRuntime.ManagedRuntime<ApiServices, unknown>
  readonly metrics?: ApiMetrics | undefined
  /** Add `Secure` to the session cookie (set when served over https). */
  readonly secureCookies?: boolean | undefined
  /** Session lifetime. */
  readonly sessionTtlSeconds?: number | undefined
}

export interface RequestLike {
  /** Lower-case header lookup. */
  readonly header: (name: string) => string | undefined
  readonly ip: string
  readonly setHeader: (name: string, value: string) => void
  /** tRPC connection parameters (SSE subscriptions, which cannot send headers). */
  readonly connectionParams?: Readonly<Record<string, string | undefined>> | null | undefined
}

export interface Context {
  readonly runtime: ManagedRuntime.ManagedRuntime<ApiServices, unknown>
  readonly metrics: ApiMetrics | undefined
  readonly ip: string
  readonly userAgent: string | undefined
  readonly bearer: string | undefined
  readonly sessionToken: string | undefined
  readonly sessionTtlSeconds: number
  readonly setSessionCookie: (token: string | null) => void
  /** Resolves credentials once per HTTP request (a batch shares it); never cached across requests. */
  readonly authenticate: () => Promise<Principal>
}

const parseCookies = (header: string | undefined): Map<string, string> => {
  const out = new Map<string, string>()
  if (header === undefined) return out
  for (const part of header.split(";")) {
    const eq = part.indexOf("=")
    if (eq <= 0) continue
    const raw = part.slice(eq + 1).trim()
    let value = raw
    try {
      value = decodeURIComponent(raw)
    } catch {
      // A malformed cookie is just an unknown session, not a server error.
    }
    out.set(part.slice(0, eq).trim(), value)
  }
  return out
}

/** Builds the per-request context factory the HTTP adapter calls. */
export const makeCreateContext = (options: ContextOptions) => {
  const ttl = options.sessionTtlSeconds ?? 7 * 24 * 3600
  const secure = options.secureCookies === true ? "; Secure" : ""
  return (req: RequestLike): Context => {
    const authorization = req.header("authorization")
    const bearer =
      authorization !== undefined && /^bearer\s+/i.test(authorization)
        ? authorization.replace(/^bearer\s+/i, "").trim()
        : req.connectionParams?.["apiKey"]
    const sessionToken = parseCookies(req.header("cookie")).get(sessionCookieName)
    let resolved: Promise<Principal> | undefined
    const authenticate = () =>
      (resolved ??= options.runtime
        .runPromiseExit(Auth.use((auth) => auth.authenticate({ bearer, sessionToken })))
        .then((exit) => {
          if (Exit.isSuccess(exit)) return exit.value
          throw fromCause(exit.cause)
        }))
    return {
      runtime: options.runtime,
      metrics: options.metrics,
      ip: req.ip,
      userAgent: req.header("user-agent"),
      bearer,
      sessionToken,
      sessionTtlSeconds: ttl,
      setSessionCookie: (token) =>
        req.setHeader(
          "Set-Cookie",
          token === null
            ? `${sessionCookieName}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure}`
            : `${sessionCookieName}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${ttl}${secure}`,
        ),
      authenticate,
    }
  }
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    errorFormatter({ shape, error }) {
      const details = errorDetails(error)
      const message =
        details.tag === "InputInvalid" && error.cause !== undefined && "issues" in error.cause
          ? validationMessage(error.cause as never)
          : shape.message
      return {
        ...shape,
        message,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          tag: details.tag,
          fieldPath: details.path,
          details: details.details,
        },
      }
    },
  })

export const router = t.router
export const createCallerFactory = t.createCallerFactory

/** The request as seen by handlers: who is calling and from where (for the audit log). */
export class RequestInfo extends Ctx.Service<
  RequestInfo,
  {
    readonly principal: Principal | null
    readonly ip: string
    readonly label: string
  }
>()("@actionlog/api/RequestInfo") {}

const timing = t.middleware(async ({ path, type, next, ctx }) => {
  const start = performance.now()
  const result = await next()
  ctx.metrics?.observe(path, type, result.ok ? "OK" : result.error.code, performance.now() - start)
  return result
})

const allows = (rule: AuthRule, principal: Principal): string | undefined => {
  if (rule.kind !== "rule") return undefined
  if (principal.kind === "apiKey") {
    if (rule.scope === null) return "API keys may not call this procedure; sign in as staff"
    return scopeAllows(principal.scopes, rule.scope)
      ? undefined
      : `This API key lacks the '${rule.scope}' scope`
  }
  if (rule.permission === null) return "Staff users may not call this procedure"
  return principal.permissions.includes(rule.permission)
    ? undefined
    : `Role '${principal.role}' lacks the '${rule.permission}' permission`
}

const anonymous = t.middleware(({ next }) => next({ ctx: { caller: null as Principal | null } }))

const authorize = t.middleware(async ({ meta, ctx, next }) => {
  const rule = meta?.auth
  // Unreachable through the builders below; fail closed anyway.
  if (rule === undefined || rule.kind === "public") {
    throw new TRPCError({ code: "FORBIDDEN", message: "Procedure has no authorization rule" })
  }
  const caller = await ctx.authenticate()
  const refusal = allows(rule, caller)
  if (refusal !== undefined) throw fromTagged(new Forbidden({ message: refusal }))
  return next({ ctx: { caller } })
})

/** Procedure builder: `procedure.requires({ scope: "read", permission: "actions.view" })`. */
export const procedure = {
  /** Open to anonymous callers: only sign-in and health. */
  public: () =>
    t.procedure
      .meta({ auth: { kind: "public" } })
      .use(timing)
      .use(anonymous),
  authenticated: () =>
    t.procedure
      .meta({ auth: { kind: "authenticated" } })
      .use(timing)
      .use(authorize),
  requires: (rule: { readonly scope: Scope | null; readonly permission: Permission | null }) =>
    t.procedure
      .meta({ auth: { kind: "rule", scope: rule.scope, permission: rule.permission } })
      .use(timing)
      .use(authorize),
}

/** Runs a handler's Effect on the server's runtime; typed failures become tRPC errors here. */
export const run = async <A, E>(
  ctx: Context & { readonly caller: Principal | null },
  effect: Effect.Effect<A, E, ApiServices | RequestInfo>,
): Promise<A> => {
  const principal = ctx.caller
  const exit = await ctx.runtime.runPromiseExit(
    Effect.provideService(effect, RequestInfo, {
      principal,
      ip: ctx.ip,
      label: principal === null ? "anonymous" : principalLabel(principal),
    }),
  )
  if (Exit.isSuccess(exit)) return exit.value
  throw fromCause(exit.cause)
}
