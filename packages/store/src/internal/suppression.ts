/**
 * The suppression list of erased customers holds hashes only, so it keeps no personal data:
 * SHA-256 of the customer id, and of each (normalized) identifier kind + value.
 */
import { createHash } from "node:crypto"

const sha = (s: string) => createHash("sha256").update(s).digest("hex")

export const hashCustomerId = (id: string): string => sha(`id\u0000${id}`)

/** `value` must already be normalized (`Customer.normalizeIdentifier`). */
export const hashIdentifier = (kind: string, value: string): string =>
  sha(`identifier\u0000${kind}\u0000${value}`)

export const SQL_SUPPRESSED = "SELECT 1 FROM suppressed_customers WHERE hash = ?"
