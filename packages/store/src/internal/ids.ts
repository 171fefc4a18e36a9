import { randomBytes } from "node:crypto"

/** A random registry/customer id with a readable prefix: `c_4f9a…` (96 random bits). */
export const makeId = (prefix: string): string => `${prefix}_${randomBytes(12).toString("hex")}`
