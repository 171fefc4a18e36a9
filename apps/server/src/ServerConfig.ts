import { Config, ConfigProvider, Effect, Option, Redacted, Result } from "effect"
import { mkdirSync } from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"

/** The repository root (apps/server/src → ../../..): the default database lives in its data/. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")

export interface ServerConfig {
  readonly port: number
  readonly host: string
  readonly dbUrl: string
  readonly dbAuthToken: string | undefined
  readonly secureCookies: boolean
  readonly maxInFlight: number
  readonly trustProxy: boolean
  readonly seed: boolean
  readonly adminDist: string | undefined
  /** How often expired bonus credits are taken away (0: never; run `rewards.expireCredits`). */
  readonly bonusExpirySeconds: number
}

interface Setting<A> {
  readonly name: string
  readonly expected: string
  readonly config: Config.Config<A>
  /** A rule the parsed value must also satisfy. */
  readonly check: ((value: A) => boolean) | undefined
}

const setting = <A>(
  name: string,
  expected: string,
  config: Config.Config<A>,
  check?: (value: A) => boolean,
): Setting<A> => ({ name, expected, config, check })

const settings = {
  // Not Config.Port: 0 (any free port) is useful for tests and supervisors that read the log.
  port: setting(
    "PORT",
    "a TCP port, 0–65535",
    Config.Int("PORT").pipe(Config.withDefault(3000)),
    (n) => n >= 0 && n <= 65535,
  ),
  host: setting(
    "HOST",
    "a non-empty host name or address",
    Config.NonEmptyString("HOST").pipe(Config.withDefault("0.0.0.0")),
  ),
  dbUrl: setting(
    "ACTIONLOG_DB_URL",
    "a database URL: file:<path>, libsql://…, https://… or http://…",
    Config.NonEmptyString("ACTIONLOG_DB_URL").pipe(Config.withDefault("file:./data/actionlog.db")),
    (url) => /^(file:|libsql:\/\/|https?:\/\/|wss?:\/\/)/.test(url),
  ),
  dbAuthToken: setting(
    "ACTIONLOG_DB_AUTH_TOKEN",
    "a token string",
    Config.option(Config.Redacted("ACTIONLOG_DB_AUTH_TOKEN")),
  ),
  secureCookies: setting(
    "ACTIONLOG_SECURE_COOKIES",
    "true or false",
    Config.Boolean("ACTIONLOG_SECURE_COOKIES").pipe(Config.withDefault(false)),
  ),
  maxInFlight: setting(
    "ACTIONLOG_MAX_IN_FLIGHT",
    "a positive integer",
    Config.Int("ACTIONLOG_MAX_IN_FLIGHT").pipe(Config.withDefault(256)),
    (n) => n > 0,
  ),
  trustProxy: setting(
    "ACTIONLOG_TRUST_PROXY",
    "true or false",
    Config.Boolean("ACTIONLOG_TRUST_PROXY").pipe(Config.withDefault(false)),
  ),
  seed: setting(
    "ACTIONLOG_SEED",
    "true or false",
    Config.Boolean("ACTIONLOG_SEED").pipe(Config.withDefault(true)),
  ),
  bonusExpirySeconds: setting(
    "ACTIONLOG_BONUS_EXPIRY_SECONDS",
    "a whole number of seconds, 0 to turn the schedule off",
    Config.Int("ACTIONLOG_BONUS_EXPIRY_SECONDS").pipe(Config.withDefault(3600)),
    (n) => n >= 0 && n <= 7 * 24 * 3600,
  ),
  // Read by the webhook service itself (docs/webhooks.md); checked here so a typo is reported.
  webhooksAllowPrivate: setting(
    "ACTIONLOG_WEBHOOKS_ALLOW_PRIVATE",
    "true or false",
    Config.Boolean("ACTIONLOG_WEBHOOKS_ALLOW_PRIVATE").pipe(Config.withDefault(false)),
  ),
  adminDist: setting(
    "ACTIONLOG_ADMIN_DIST",
    "a directory path",
    Config.option(Config.NonEmptyString("ACTIONLOG_ADMIN_DIST")),
  ),
} as const

export class ConfigInvalid extends Error {
  constructor(readonly problems: ReadonlyArray<string>) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`)
    this.name = "ConfigInvalid"
  }
}

/** Reads and validates every setting; all bad values are reported together. */
export const loadConfig = (env: Record<string, string | undefined> = process.env): ServerConfig => {
  const provider = ConfigProvider.fromEnvRecord(env)
  const problems: Array<string> = []
  const read = <A>(s: Setting<A>): A | undefined => {
    const result: Result.Result<A, Config.ConfigError> = Effect.runSync(
      Effect.result(s.config.parse(provider)),
    )
    if (Result.isSuccess(result) && (s.check === undefined || s.check(result.success))) {
      return result.success
    }
    const raw = env[s.name]
    problems.push(`${s.name}=${JSON.stringify(raw ?? "")} is invalid: expected ${s.expected}`)
    return undefined
  }
  const port = read(settings.port)
  const host = read(settings.host)
  const dbUrl = read(settings.dbUrl)
  const dbAuthToken = read(settings.dbAuthToken)
  const secureCookies = read(settings.secureCookies)
  const maxInFlight = read(settings.maxInFlight)
  const trustProxy = read(settings.trustProxy)
  const seed = read(settings.seed)
  const adminDist = read(settings.adminDist)
  const bonusExpirySeconds = read(settings.bonusExpirySeconds)
  read(settings.webhooksAllowPrivate)
  if (problems.length > 0) throw new ConfigInvalid(problems)
  return {
    port: port!,
    host: host!,
    dbUrl: resolveDbUrl(dbUrl!),
    dbAuthToken: Option.match(dbAuthToken!, {
      onNone: () => undefined,
      onSome: (r) => Redacted.value(r),
    }),
    secureCookies: secureCookies!,
    maxInFlight: maxInFlight!,
    trustProxy: trustProxy!,
    seed: seed!,
    adminDist: Option.getOrUndefined(adminDist!),
    bonusExpirySeconds: bonusExpirySeconds!,
  }
}

/**
 * Relative `file:` URLs are relative to the repository root (so `pnpm start` from anywhere uses
 * the same data/ directory); the directory is created when missing.
 */
export const resolveDbUrl = (url: string): string => {
  if (!url.startsWith("file:")) return url
  const rest = url.slice("file:".length)
  if (rest === ":memory:") return url
  const file = path.isAbsolute(rest) ? rest : path.resolve(repoRoot, rest)
  mkdirSync(path.dirname(file), { recursive: true })
  return `file:${file}`
}
