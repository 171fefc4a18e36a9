/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): a secret is `whsec_` + base64
 * of random bytes; the signature of a message is `v1,` + base64(HMAC-SHA256(key, id.timestamp.body))
 * where key is the base64-decoded part of the secret. Several signatures are space-separated,
 * which is how both secrets verify during a rotation's grace period.
 *
 * Secrets are stored encrypted (AES-256-GCM) because signing needs them in clear; the server
 * key comes from `ACTIONLOG_WEBHOOK_KEY` or, for a local database, a key file created next to it.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from "node:crypto"
import { closeSync, openSync, readFileSync, writeSync } from "node:fs"

export const secretPrefix = "whsec_"

export const newSigningSecret = (): string => `${secretPrefix}${randomBytes(32).toString("base64")}`

const keyOf = (secret: string): Buffer =>
  Buffer.from(
    secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : secret,
    "base64",
  )

/** `v1,<base64>` for one secret. */
export const sign = (secret: string, id: string, timestampSeconds: number, body: string): string =>
  `v1,${createHmac("sha256", keyOf(secret)).update(`${id}.${timestampSeconds}.${body}`).digest("base64")}`

/** The `webhook-signature` header: one signature per valid secret. */
export const signatureHeader = (
  secrets: ReadonlyArray<string>,
  id: string,
  timestampSeconds: number,
  body: string,
): string => secrets.map((s) => sign(s, id, timestampSeconds, body)).join(" ")

/** 32 bytes from any key text: base64 of exactly 32 bytes is used as is, anything else hashed. */
export const keyFromText = (text: string): Buffer => {
  const trimmed = text.trim()
  const decoded = Buffer.from(trimmed, "base64")
  if (decoded.length === 32 && /^[A-Za-z0-9+/=_-]+$/.test(trimmed)) return decoded
  return createHash("sha256").update(trimmed).digest()
}

/**
 * The key file next to a local database (`<db>.webhook-key`), created once with mode 0600;
 * processes starting together agree on one (the loser of the exclusive create reads it).
 */
export const keyFromFile = (path: string): Buffer => {
  try {
    return keyFromText(readFileSync(path, "utf8"))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error
  }
  try {
    const fd = openSync(path, "wx", 0o600)
    try {
      writeSync(fd, `${randomBytes(32).toString("base64")}\n`)
    } finally {
      closeSync(fd)
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
  }
  return keyFromText(readFileSync(path, "utf8"))
}

/** `v1.<iv>.<tag>.<ciphertext>`, base64url. */
export const encrypt = (key: Buffer, plain: string): string => {
  const iv = randomBytes(12)
  const cipher = createCipheriv("aes-256-gcm", key, iv)
  const ct = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()])
  return ["v1", iv, cipher.getAuthTag(), ct]
    .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
    .join(".")
}

/** Undefined when the text was encrypted with another key (or is not ours). */
export const decrypt = (key: Buffer, text: string): string | undefined => {
  const [v, iv, tag, ct] = text.split(".")
  if (v !== "v1" || iv === undefined || tag === undefined || ct === undefined) return undefined
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"))
    decipher.setAuthTag(Buffer.from(tag, "base64url"))
    return Buffer.concat([
      decipher.update(Buffer.from(ct, "base64url")),
      decipher.final(),
    ]).toString("utf8")
  } catch {
    return undefined
  }
}
