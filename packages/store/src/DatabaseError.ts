import { Schema } from "effect"

/**
 * Anything the database itself failed at (I/O, corruption, a lock held too long, a bug in a
 * statement). Callers cannot fix it by changing their input; the API maps it to a 500/503.
 */
export class DatabaseError extends Schema.TaggedError<DatabaseError>()("DatabaseError", {
  message: Schema.String,
  /** SQLite / libSQL error code when known (`SQLITE_BUSY`, `SQLITE_CONSTRAINT_UNIQUE`, …). */
  code: Schema.optional(Schema.String),
  cause: Schema.optional(Schema.Defect()),
}) {
  static fromUnknown(cause: unknown, sql?: string): DatabaseError {
    const err = cause as { message?: unknown; code?: unknown } | null
    const message = typeof err?.message === "string" ? err.message : String(cause)
    const code = typeof err?.code === "string" ? err.code : undefined
    return new DatabaseError({
      message: sql === undefined ? message : `${message} (in: ${sql.slice(0, 200)})`,
      ...(code === undefined ? {} : { code }),
      cause,
    })
  }

  get isBusy(): boolean {
    return this.code !== undefined && this.code.startsWith("SQLITE_BUSY")
  }

  get isUniqueViolation(): boolean {
    return (
      this.code === "SQLITE_CONSTRAINT_UNIQUE" ||
      this.code === "SQLITE_CONSTRAINT_PRIMARYKEY" ||
      (this.code === "SQLITE_CONSTRAINT" && /UNIQUE/i.test(this.message))
    )
  }
}
