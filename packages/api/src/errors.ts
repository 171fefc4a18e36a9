import { Cause, Predicate } from "effect"
import { StandardSchemaV1Error, TRPCError } from "@trpc/server"
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server"

// The one place where failures become tRPC errors. A tagged error's `_tag` decides the code;
// the formatter (see trpc.ts) copies the tag and field path into `error.data` for callers.

type Code = TRPC_ERROR_CODE_KEY

/** Tags whose code is not implied by their name (see `codeForTag` for the naming rules). */
const explicitCodes: Record<string, Code> = {
  Unauthenticated: "UNAUTHORIZED",
  InvalidCredentials: "UNAUTHORIZED",
  // Sign-in throttle: `data.details.retryAfterSeconds` (and the HTTP Retry-After header).
  TooManySignInAttempts: "TOO_MANY_REQUESTS",
  Forbidden: "FORBIDDEN",
  // An erased customer: the request is well-formed but conflicts with the erasure.
  CustomerSuppressed: "CONFLICT",
  LastAdmin: "CONFLICT",
  // Staff still hold the role: it can be removed once they have another one.
  RoleInUse: "CONFLICT",
  // Built-in roles are fixed by the product, not refused for the caller's role (not a 403).
  BuiltInRoleReadOnly: "BAD_REQUEST",
  TemplateEvolutionRejected: "CONFLICT",
  // Two inputs of one request disagree: the caller's input is wrong, not the server state.
  BrandConflict: "BAD_REQUEST",
  PayloadTooLarge: "PAYLOAD_TOO_LARGE",
  BatchTooLarge: "PAYLOAD_TOO_LARGE",
  Overloaded: "TOO_MANY_REQUESTS",
  InputInvalid: "BAD_REQUEST",
  // The server lacks its webhook key: an operator's fix, not the caller's input.
  WebhookKeyUnavailable: "PRECONDITION_FAILED",
  TooManyWebhooks: "CONFLICT",
}

/** Field of the input an error is about, for errors that do not carry their own path. */
const pathForTag: Record<string, FieldPath> = {
  UnknownTemplate: ["template"],
  TemplateNotAllowedForBrand: ["brand"],
  UnknownTouchpoint: ["touchpoint"],
  TouchpointDeleted: ["touchpoint"],
  TouchpointRequired: ["touchpoint"],
  BrandRequired: ["brand"],
  BrandConflict: ["brand"],
  CustomerNotFound: ["customer"],
  CustomerSuppressed: ["customer"],
  EventTimeInFuture: ["occurredAt"],
  PayloadTooLarge: ["payload"],
  InvalidCursor: ["cursor"],
  InvalidWebhookTarget: ["url"],
}

/** The field path of a tagged error: its own `path`, else the field its tag is about. */
export const pathOf = (error: { readonly _tag: string }): FieldPath | undefined => {
  const record = error as unknown as Record<string, unknown>
  const own = normalizePath(record.path)
  if (own !== undefined) return own
  if (error["_tag"] === "InvalidFilter" && typeof record.field === "string") {
    return ["filter", ...record.field.split(".")]
  }
  if (error["_tag"] === "InvalidWebhookFilter" && typeof record.field === "string") {
    return ["filter", record.field]
  }
  if (error["_tag"] === "InvalidTemplate" && typeof record.field === "string") {
    return record.field.split(".")
  }
  return pathForTag[error["_tag"]]
}

// Lookups by key (templates.get, touchpoints.get…) answer 404 for an unknown key, while the
// same tag inside a record input is a 400 (see `asNotFound`).
const notFound = new WeakSet<object>()

/** Marks a lookup's "Unknown…" error to be answered 404 (same tag). */
export const asNotFound = <E>(error: E): E => {
  if (Predicate.isObject(error)) notFound.add(error)
  return error
}

/** Infrastructure failures are never the caller's fault. */
const internalTags = new Set(["DatabaseError", "StoreError", "SqlError", "MigrationError"])

export const codeForTag = (tag: string): Code => {
  const explicit = explicitCodes[tag]
  if (explicit !== undefined) return explicit
  if (internalTags.has(tag)) return "INTERNAL_SERVER_ERROR"
  if (tag.endsWith("NotFound") || tag.startsWith("Unknown")) {
    // An unknown template/touchpoint/brand named in an input is a bad input, not a missing
    // resource in the URL sense; only "<Thing>NotFound" lookups answer 404.
    return tag.endsWith("NotFound") ? "NOT_FOUND" : "BAD_REQUEST"
  }
  if (/(AlreadyExists|Taken|Conflict|Duplicate|InUse)$/.test(tag)) return "CONFLICT"
  if (tag.endsWith("TooLarge")) return "PAYLOAD_TOO_LARGE"
  if (/(Unauthorized|Unauthenticated)$/.test(tag)) return "UNAUTHORIZED"
  if (/(Forbidden|Suppressed)$/.test(tag)) return "FORBIDDEN"
  // Every other tagged error a caller can get is about its input (validation, rules).
  return "BAD_REQUEST"
}

export type FieldPath = ReadonlyArray<string | number>

export const normalizePath = (path: unknown): FieldPath | undefined => {
  if (!Array.isArray(path)) return undefined
  return path.map((segment: unknown) => {
    if (Predicate.isObject(segment) && "key" in segment) segment = segment.key
    return typeof segment === "number" ? segment : String(segment)
  })
}

/** What the formatter puts into `error.data` besides tRPC's own fields. */
export interface ErrorDetails {
  readonly tag: string
  readonly path: FieldPath | null
  /** Extra fields of the tagged error (ids, names), safe to show. */
  readonly details: Record<string, unknown> | null
}

/** The tagged value carried as a TRPCError's cause. */
class TaggedCause extends Error {
  constructor(
    readonly tag: string,
    message: string,
    readonly path: FieldPath | undefined,
    readonly details: Record<string, unknown> | undefined,
  ) {
    super(message)
    this.name = tag
  }
}

const hiddenFields = new Set(["_tag", "message", "path", "cause", "stack", "name", "code"])

const detailsOf = (error: object): Record<string, unknown> | undefined => {
  const out: Record<string, unknown> = {}
  let any = false
  for (const [key, value] of Object.entries(error)) {
    if (hiddenFields.has(key)) continue
    if (value === null || ["string", "number", "boolean"].includes(typeof value)) {
      out[key] = value
      any = true
    }
  }
  return any ? out : undefined
}

/** A tagged error (anything with a string `_tag`) as a TRPCError. */
export const fromTagged = (error: { readonly _tag: string }): TRPCError => {
  const record = error as unknown as Record<string, unknown>
  const message =
    typeof record.message === "string" && record.message !== "" ? record.message : error["_tag"]
  const internal = internalTags.has(error["_tag"])
  const cause = new TaggedCause(
    error["_tag"],
    // Database messages can contain SQL: never sent to callers (the log has them).
    internal ? "Internal error" : message,
    pathOf(error),
    internal ? undefined : detailsOf(error),
  )
  const busy = error["_tag"] === "DatabaseError" && record.isBusy === true
  const code = busy
    ? "SERVICE_UNAVAILABLE"
    : notFound.has(error) && codeForTag(error["_tag"]) === "BAD_REQUEST"
      ? "NOT_FOUND"
      : codeForTag(error["_tag"])
  return new TRPCError({ code, message: cause.message, cause })
}

/** A failed Effect's cause as a TRPCError: the first typed failure wins; defects are 500s. */
export const fromCause = (cause: Cause.Cause<unknown>): TRPCError => {
  const failure = Cause.findErrorOption(cause)
  if (failure["_tag"] === "Some") {
    const error = failure.value
    if (error instanceof TRPCError) return error
    if (Predicate.hasProperty(error, "_tag") && typeof error["_tag"] === "string") {
      return fromTagged(error as { _tag: string })
    }
  }
  return new TRPCError({
    code: "INTERNAL_SERVER_ERROR",
    message: "Internal error",
    cause: Cause.squash(cause),
  })
}

/** Fills `error.data` from a TRPCError: tag and field path for every error a caller can get. */
export const errorDetails = (error: TRPCError): ErrorDetails => {
  const cause = error.cause
  if (cause instanceof TaggedCause) {
    return { tag: cause.tag, path: cause.path ?? null, details: cause.details ?? null }
  }
  if (cause instanceof StandardSchemaV1Error) {
    const first = cause.issues[0]
    return {
      tag: "InputInvalid",
      path: normalizePath(first?.path) ?? [],
      details: null,
    }
  }
  return { tag: tagForCode[error.code] ?? "InternalError", path: null, details: null }
}

/** Tags for errors tRPC raises itself (bad JSON, unknown procedure, body too large). */
const tagForCode: Partial<Record<Code, string>> = {
  PARSE_ERROR: "InputInvalid",
  BAD_REQUEST: "InputInvalid",
  NOT_FOUND: "ProcedureNotFound",
  METHOD_NOT_SUPPORTED: "MethodNotSupported",
  PAYLOAD_TOO_LARGE: "PayloadTooLarge",
  TOO_MANY_REQUESTS: "Overloaded",
  UNAUTHORIZED: "Unauthenticated",
  FORBIDDEN: "Forbidden",
  UNSUPPORTED_MEDIA_TYPE: "UnsupportedMediaType",
}

/** A message for validation failures that names the field, as callers read it. */
export const validationMessage = (error: StandardSchemaV1Error): string => {
  const first = error.issues[0]
  if (first === undefined) return "Invalid input"
  const path = normalizePath(first.path) ?? []
  return path.length > 0 ? `${path.join(".")}: ${first.message}` : first.message
}
