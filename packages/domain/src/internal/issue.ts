import { SchemaIssue } from "effect"
import { InvalidPayload } from "../Errors"

// Phrase structural problems for people filling in a form or writing a client.
const formatter = SchemaIssue.makeFormatterStandardSchemaV1({
  leafHook: (issue) => {
    if (issue instanceof SchemaIssue.MissingKey) return "is required"
    if (issue instanceof SchemaIssue.UnexpectedKey) return "is not a known field"
    return SchemaIssue.defaultLeafHook(issue)
  },
})

// Standard Schema paths hold keys or `{ key }` segments.
const toKey = (k: PropertyKey | { readonly key: PropertyKey }): string | number => {
  const key = typeof k === "object" ? k.key : k
  return typeof key === "symbol" ? String(key) : key
}

/** The first problem of a schema issue as an `InvalidPayload`, its path under `prefix`. */
export const issueToInvalidPayload = (
  issue: SchemaIssue.Issue,
  prefix: ReadonlyArray<string | number> = [],
): InvalidPayload => {
  const first = formatter(issue).issues[0]
  const path = [...prefix, ...(first?.path ?? []).map(toKey)]
  return InvalidPayload.at(path, first?.message ?? "invalid value")
}
