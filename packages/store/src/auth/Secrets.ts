import { createHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto"

// Secrets (API keys, session tokens, passwords) are never stored in clear: keys and session
// tokens are 32 random bytes, stored as SHA-256; passwords use scrypt with a per-user salt.

export const apiKeyPrefix = "al_live_"
/** Characters of the random part kept in clear so a key can be looked up by index. */
const lookupLength = 8

export interface NewSecret {
  /** The value shown once to the caller. */
  readonly secret: string
  /** Short, non-secret part stored in clear for lookup and for display. */
  readonly lookup: string
  /** SHA-256 of the whole secret (hex). */
  readonly hash: string
}

export const sha256 = (value: string): string => createHash("sha256").update(value).digest("hex")

export const newApiKey = (): NewSecret => {
  const random = randomBytes(32).toString("base64url")
  const secret = `${apiKeyPrefix}${random}`
  return { secret, lookup: random.slice(0, lookupLength), hash: sha256(secret) }
}

/** The lookup part of a presented key, or undefined when it is not shaped like one of ours. */
export const apiKeyLookup = (presented: string): string | undefined => {
  if (!presented.startsWith(apiKeyPrefix)) return undefined
  const random = presented.slice(apiKeyPrefix.length)
  if (random.length < 40 || random.length > 64 || !/^[A-Za-z0-9_-]+$/.test(random)) return undefined
  return random.slice(0, lookupLength)
}

export const newSessionToken = (): NewSecret => {
  const secret = randomBytes(32).toString("base64url")
  return { secret, lookup: secret.slice(0, lookupLength), hash: sha256(secret) }
}

/** Constant-time comparison of two hex digests. */
export const sameHash = (a: string, b: string): boolean => {
  const x = Buffer.from(a, "hex")
  const y = Buffer.from(b, "hex")
  return x.length === y.length && timingSafeEqual(x, y)
}

const scryptParams = { N: 16384, r: 8, p: 1, keyLength: 64 } as const

const scryptAsync = (
  password: string,
  salt: Buffer,
  keyLength: number,
  N: number,
  r: number,
  p: number,
) =>
  new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, keyLength, { N, r, p, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  )

/** `scrypt$N$r$p$salt$hash`, both base64url. */
export const hashPassword = async (password: string): Promise<string> => {
  const salt = randomBytes(16)
  const { N, r, p, keyLength } = scryptParams
  const key = await scryptAsync(password, salt, keyLength, N, r, p)
  return `scrypt$${N}$${r}$${p}$${salt.toString("base64url")}$${key.toString("base64url")}`
}

export const verifyPassword = async (password: string, stored: string): Promise<boolean> => {
  const parts = stored.split("$")
  if (parts.length !== 6 || parts[0] !== "scrypt") return false
  const [, n, r, p, salt, hash] = parts as [string, string, string, string, string, string]
  const expected = Buffer.from(hash, "base64url")
  const key = await scryptAsync(
    password,
    Buffer.from(salt, "base64url"),
    expected.length,
    Number(n),
    Number(r),
    Number(p),
  )
  return timingSafeEqual(key, expected)
}

/** A password for generated demo / CLI users: 18 random characters, URL-safe. */
export const generatePassword = (): string => randomBytes(14).toString("base64url")
