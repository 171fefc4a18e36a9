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
