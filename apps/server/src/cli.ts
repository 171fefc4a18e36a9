import { parseArgs } from "node:util"
import { createInterface } from "node:readline/promises"
import { Effect, ManagedRuntime } from "effect"
import {
  ApiKeys,
  AuditLog,
  Database,
  generatePassword,
  Scope,
  scopes,
  StaffUsers,
} from "@actionlog/store"
import { Schema } from "effect"
import { makeAppLayer, type AppServices } from "./AppLayer"
import { dataCommands } from "./DataCommands"
import { seedIfEmpty } from "./seed/Seed"
import { ConfigInvalid, loadConfig } from "./ServerConfig"

// `pnpm actionlog <command>`: the same operations as the API, against ACTIONLOG_DB_URL (or
// --db). Exit codes: 0 done, 1 the operation failed, 2 bad usage or configuration.

class UsageError extends Error {}

type Runtime = ManagedRuntime.ManagedRuntime<AppServices, unknown>

interface Command {
  readonly usage: string
  readonly summary: string
  readonly options: Record<string, { type: "string" | "boolean"; short?: string }>
  readonly run: (
    rt: Runtime,
    values: Record<string, string | boolean | undefined>,
    positionals: Array<string>,
  ) => Promise<void>
}

const cli = { kind: "system", id: null, label: "cli" } as const

const audit = (action: string, targetType: string, targetId: string | null, changes: unknown) =>
  AuditLog.use((log) => log.append({ actor: cli, ip: null, action, targetType, targetId, changes }))

const inTx = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Database.use((db) => db.transaction(effect))

const required = (values: Record<string, unknown>, name: string): string => {
  const v = values[name]
  if (typeof v !== "string" || v.trim() === "") throw new UsageError(`--${name} is required`)
  return v.trim()
}

const commands: Record<string, Command> = {
  "api-key create": {
    usage: "api-key create --name <name> --scopes <ingest,read,admin>",
    summary: "Make an API key; prints the key once (it is stored only as a hash).",
    options: { name: { type: "string" }, scopes: { type: "string" } },
    run: async (rt, values) => {
      const name = required(values, "name")
      const requested = required(values, "scopes")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
      const bad = requested.filter((s) => !Schema.is(Scope)(s))
      if (bad.length > 0 || requested.length === 0) {
        throw new UsageError(
          `--scopes: unknown scope(s) ${bad.join(", ")}; use ${scopes.join(", ")}`,
        )
      }
      const created = await rt.runPromise(
        inTx(
          Effect.tap(
            ApiKeys.use((k) =>
              k.create({ name, scopes: requested as Array<Scope>, createdBy: "cli" }),
            ),
            (r) => audit("apiKeys.create", "apiKey", r.info.id, { name, scopes: r.info.scopes }),
          ),
        ),
      )
      console.log(
        `Created API key '${name}' (id ${created.info.id}, scopes ${created.info.scopes.join(",")}).`,
      )
      console.log("Key (shown once, store it now):")
      console.log(created.key)
    },
  },
  "api-key list": {
    usage: "api-key list",
    summary: "List API keys (prefix, scopes, revoked or not).",
    options: {},
    run: async (rt) => {
      const keys = await rt.runPromise(ApiKeys.use((k) => k.list))
      if (keys.length === 0) console.log("No API keys.")
      for (const k of keys) {
        console.log(
          `${k.id}  ${k.displayPrefix}…  ${k.name}  [${k.scopes.join(",")}]  created ${k.createdAt}${k.revokedAt === null ? "" : `  REVOKED ${k.revokedAt}`}`,
        )
      }
    },
  },
  "api-key revoke": {
    usage: "api-key revoke <id>",
    summary: "Revoke an API key; it stops working at once.",
    options: {},
    run: async (rt, _values, positionals) => {
      const id = positionals[0]
      if (id === undefined) throw new UsageError("the id of the key to revoke is required")
      const info = await rt.runPromise(
        inTx(
          Effect.tap(
            ApiKeys.use((k) => k.revoke(id, "cli")),
            (i) => audit("apiKeys.revoke", "apiKey", i.id, { revokedAt: i.revokedAt }),
          ),
        ),
      )
      console.log(`Revoked API key '${info.name}' (${info.id}).`)
    },
  },
  "staff create": {
    usage:
      "staff create --email <email> --role <admin|manager|analyst|support> [--name <name>] [--password <pw>]",
    summary: "Add a staff user; without --password one is asked for (or generated and printed).",
    options: {
      email: { type: "string" },
      role: { type: "string" },
      name: { type: "string" },
      password: { type: "string" },
    },
    run: async (rt, values) => {
      const email = required(values, "email")
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
        throw new UsageError(`--email: '${email}' is not an email address`)
      const role = required(values, "role")
      const name =
        typeof values.name === "string" && values.name !== "" ? values.name : email.split("@")[0]!
      let password = typeof values.password === "string" ? values.password : undefined
      let generated = false
      if (password === undefined && process.stdin.isTTY) {
        const rl = createInterface({ input: process.stdin, output: process.stdout })
        const answer = await rl.question("Password (empty to generate one): ")
        rl.close()
        if (answer !== "") password = answer
      }
      if (password === undefined) {
        password = generatePassword()
        generated = true
      }
      if (password.length < 8) throw new UsageError("--password: at least 8 characters")
      const user = await rt.runPromise(
        inTx(
          Effect.tap(
            StaffUsers.use((s) => s.create({ email, name, role, password })),
            (u) =>
              audit("staff.create", "staff", u.id, { email: u.email, name: u.name, role: u.role }),
          ),
        ),
      )
      console.log(`Created staff user ${user.email} (role ${user.role}, id ${user.id}).`)
      if (generated) console.log(`Password (shown once): ${password}`)
    },
  },
  migrate: {
    usage: "migrate",
    summary: "Apply pending schema migrations (the server also does it on start).",
    options: {},
    run: async (rt) => {
      await rt.context()
      const rows = await rt.runPromise(
        Database.use((db) =>
          db.query<{ id: number; name: string }>(
            "SELECT id, name FROM schema_migrations ORDER BY id",
          ),
        ),
      )
      console.log(
        `Database is at migration ${rows.at(-1)?.id ?? 0} (${rows.map((r) => `${r.id}_${r.name}`).join(", ")}).`,
      )
    },
  },
  seed: {
    usage: "seed",
    summary: "Load the demo data into an empty database.",
    options: {},
    run: async (rt) => {
      const result = await rt.runPromise(seedIfEmpty((line) => console.log(line)))
      if (result === null) {
        console.log("The database already has data; nothing seeded.")
        return
      }
      console.log(`Demo data loaded. Sign in as ${result.email} / ${result.password}`)
    },
  },
  // Erase, export, import.
  ...dataCommands((message) => new UsageError(message)),
}

const help = () =>
  [
    "Usage: pnpm actionlog <command> [options]   (database: ACTIONLOG_DB_URL or --db <url>)",
    "",
    ...Object.values(commands).map((c) => `  ${c.usage}\n      ${c.summary}`),
  ].join("\n")

const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  const words = argv.filter((a) => !a.startsWith("-"))
  if (argv.includes("--help") || argv.includes("-h") || words.length === 0) {
    console.log(help())
    return words.length === 0 && !argv.includes("--help") && !argv.includes("-h") ? 2 : 0
  }
  const key =
    commands[`${words[0]} ${words[1] ?? ""}`] !== undefined ? `${words[0]} ${words[1]}` : words[0]!
  const command = commands[key]
  if (command === undefined) {
    console.error(`Unknown command '${words.slice(0, 2).join(" ")}'.\n\n${help()}`)
    return 2
  }
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv].slice(argv.indexOf(key.split(" ").at(-1)!) + 1),
      options: { ...command.options, db: { type: "string" } },
      allowPositionals: true,
      strict: true,
    })
  } catch (error) {
    console.error(`${(error as Error).message}\nUsage: pnpm actionlog ${command.usage}`)
    return 2
  }
  let dbUrl: string
  let authToken: string | undefined
  try {
    // Only the database settings matter to the CLI (a bad PORT must not stop it).
    const env = {
      ACTIONLOG_DB_URL:
        typeof parsed.values.db === "string" ? parsed.values.db : process.env.ACTIONLOG_DB_URL,
      ACTIONLOG_DB_AUTH_TOKEN: process.env.ACTIONLOG_DB_AUTH_TOKEN,
    }
    const config = loadConfig(env)
    dbUrl = config.dbUrl
    authToken = config.dbAuthToken
  } catch (error) {
    if (error instanceof ConfigInvalid) {
      console.error(error.message)
      return 2
    }
    throw error
  }
  const rt: Runtime = ManagedRuntime.make(makeAppLayer({ url: dbUrl, authToken }))
  try {
    await command.run(
      rt,
      parsed.values as Record<string, string | boolean | undefined>,
      parsed.positionals,
    )
    return 0
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\nUsage: pnpm actionlog ${command.usage}`)
      return 2
    }
    const e = error as { message?: string; _tag?: string }
    console.error(
      `Error${e["_tag"] === undefined ? "" : ` (${e["_tag"]})`}: ${e.message ?? String(error)}`,
    )
    return 1
  } finally {
    await rt.dispose()
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
