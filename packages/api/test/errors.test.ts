import { describe, expect, it } from "vitest"
import { Cause } from "effect"
import { Errors } from "@actionlog/domain"
import { DatabaseError, TooManySignInAttempts } from "@actionlog/store"
import { codeForTag, errorDetails, fromCause } from "../src/errors"

const status = (code: string) =>
  ({
    BAD_REQUEST: 400,
    UNAUTHORIZED: 401,
    FORBIDDEN: 403,
    NOT_FOUND: 404,
    CONFLICT: 409,
    PAYLOAD_TOO_LARGE: 413,
    TOO_MANY_REQUESTS: 429,
  })[code] ?? 500

describe("error mapping (src/errors.ts)", () => {
  it("maps every domain error a caller can get to a 4xx", () => {
    for (const member of Errors.DomainError.members) {
      const tag = member.identifier
      expect({ tag, status: status(codeForTag(tag)) < 500 }).toEqual({ tag, status: true })
    }
  })

  it("uses the codes of the contract", () => {
    expect(codeForTag("InvalidPayload")).toBe("BAD_REQUEST")
    expect(codeForTag("UnknownTemplate")).toBe("BAD_REQUEST")
    expect(codeForTag("CustomerNotFound")).toBe("NOT_FOUND")
    expect(codeForTag("ActionNotFound")).toBe("NOT_FOUND")
    expect(codeForTag("TemplateAlreadyExists")).toBe("CONFLICT")
    expect(codeForTag("IdentifierTaken")).toBe("CONFLICT")
    expect(codeForTag("Unauthenticated")).toBe("UNAUTHORIZED")
    expect(codeForTag("Forbidden")).toBe("FORBIDDEN")
    expect(codeForTag("PayloadTooLarge")).toBe("PAYLOAD_TOO_LARGE")
    expect(codeForTag("BatchTooLarge")).toBe("PAYLOAD_TOO_LARGE")
    expect(codeForTag("Overloaded")).toBe("TOO_MANY_REQUESTS")
    expect(codeForTag("TooManySignInAttempts")).toBe("TOO_MANY_REQUESTS")
    expect(codeForTag("DatabaseError")).toBe("INTERNAL_SERVER_ERROR")
  })

  it("carries the tag, the field path and safe details into error.data", () => {
    const e = fromCause(
      Cause.fail(Errors.InvalidPayload.at(["payload", "lines", 0, "sku"], "is empty")),
    )
    expect(e.code).toBe("BAD_REQUEST")
    expect(e.message).toBe("payload.lines[0].sku: is empty")
    expect(errorDetails(e)).toEqual({
      tag: "InvalidPayload",
      path: ["payload", "lines", 0, "sku"],
      details: { field: "payload.lines[0].sku", reason: "is empty" },
    })
    const u = fromCause(Cause.fail(new Errors.UnknownTemplate({ template: "Nope" })))
    expect(errorDetails(u)).toMatchObject({ tag: "UnknownTemplate", path: ["template"] })
  })

  it("gives a throttled sign-in 429 with the seconds to wait in error.data", () => {
    const e = fromCause(
      Cause.fail(
        new TooManySignInAttempts({
          message: "Too many failed sign-in attempts; try again in 15 minutes",
          retryAfterSeconds: 900,
        }),
      ),
    )
    expect(e.code).toBe("TOO_MANY_REQUESTS")
    expect(e.message).toBe("Too many failed sign-in attempts; try again in 15 minutes")
    expect(errorDetails(e)).toEqual({
      tag: "TooManySignInAttempts",
      path: null,
      details: { retryAfterSeconds: 900 },
    })
  })

  it("hides database messages (they can contain SQL) and treats defects as 500", () => {
    const db = fromCause(Cause.fail(new DatabaseError({ message: "no such table: secret_stuff" })))
    expect(db.code).toBe("INTERNAL_SERVER_ERROR")
    expect(db.message).not.toContain("secret_stuff")
    const busy = fromCause(Cause.fail(new DatabaseError({ message: "busy", code: "SQLITE_BUSY" })))
    expect(busy.code).toBe("SERVICE_UNAVAILABLE")
    const defect = fromCause(Cause.die(new Error("boom")))
    expect(defect.code).toBe("INTERNAL_SERVER_ERROR")
    expect(errorDetails(defect).tag).toBe("InternalError")
  })
})
