import { Schema } from "effect"

/** No valid credentials: missing, malformed, unknown, revoked or expired. */
export class Unauthenticated extends Schema.TaggedError<Unauthenticated>()("Unauthenticated", {
  message: Schema.String,
}) {}

/** Authenticated, but the key's scopes or the staff role do not allow the procedure. */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", {
  message: Schema.String,
}) {}

/** Wrong email or password (one error for both, so accounts cannot be probed). */
export class InvalidCredentials extends Schema.TaggedError<InvalidCredentials>()(
  "InvalidCredentials",
  { message: Schema.String },
) {}

/**
 * Sign-in refused without checking the password: too many recent failures for this email or
 * from this client address (auth/SignInThrottle.ts). Same message for both, so it reveals
 * nothing about which accounts exist.
 */
export class TooManySignInAttempts extends Schema.TaggedError<TooManySignInAttempts>()(
  "TooManySignInAttempts",
  { message: Schema.String, retryAfterSeconds: Schema.Number },
) {}

export class ApiKeyNotFound extends Schema.TaggedError<ApiKeyNotFound>()("ApiKeyNotFound", {
  id: Schema.String,
  message: Schema.String,
}) {}

export class StaffNotFound extends Schema.TaggedError<StaffNotFound>()("StaffNotFound", {
  id: Schema.String,
  message: Schema.String,
}) {}

export class StaffEmailTaken extends Schema.TaggedError<StaffEmailTaken>()("StaffEmailTaken", {
  email: Schema.String,
  message: Schema.String,
}) {}

export class UnknownRole extends Schema.TaggedError<UnknownRole>()("UnknownRole", {
  role: Schema.String,
  message: Schema.String,
  path: Schema.Array(Schema.Union([Schema.String, Schema.Number])),
}) {}

/** Refused because it would lock everybody out (last active admin demoted or disabled). */
export class LastAdmin extends Schema.TaggedError<LastAdmin>()("LastAdmin", {
  message: Schema.String,
}) {}

export class RoleAlreadyExists extends Schema.TaggedError<RoleAlreadyExists>()(
  "RoleAlreadyExists",
  {
    role: Schema.String,
    message: Schema.String,
  },
) {}

/** Built-in roles are part of the product: they cannot be edited or removed. */
export class BuiltInRoleReadOnly extends Schema.TaggedError<BuiltInRoleReadOnly>()(
  "BuiltInRoleReadOnly",
  {
    role: Schema.String,
    message: Schema.String,
    path: Schema.Array(Schema.Union([Schema.String, Schema.Number])),
  },
) {}

/** A role still held by staff users (enabled or disabled) cannot be removed. */
export class RoleInUse extends Schema.TaggedError<RoleInUse>()("RoleInUse", {
  role: Schema.String,
  staffCount: Schema.Number,
  message: Schema.String,
}) {}
