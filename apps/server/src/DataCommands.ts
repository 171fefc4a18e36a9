/**
 * CLI commands of the data capabilities: `erase`, `export`, `import`. Wired into
 * `cli.ts`; they run the same store services as the API.
 */
import { createWriteStream, type WriteStream } from "node:fs"
import { Effect, type ManagedRuntime } from "effect"
import { Time } from "@actionlog/domain"
import {
  AuditLog,
  Database,
  Erasure,
  Exports,
  Imports,
  type ExportWindow,
  type ImportProgress,
} from "@actionlog/store"
import type { AppServices } from "./AppLayer"

type Runtime = ManagedRuntime.ManagedRuntime<AppServices, unknown>

export interface DataCommand {
  readonly usage: string
  readonly summary: string
  readonly options: Record<string, { type: "string" | "boolean"; short?: string }>
  readonly run: (
    rt: Runtime,
    values: Record<string, string | boolean | undefined>,
    positionals: Array<string>,
  ) => Promise<void>
}

const cliActor = { kind: "system", id: null, label: "cli" } as const

const str = (v: string | boolean | undefined): string | undefined =>
  typeof v === "string" && v.trim() !== "" ? v.trim() : undefined

const parseTime = (v: string | undefined): number | undefined =>
  v === undefined ? undefined : /^\d{1,16}$/.test(v) ? Number(v) : Time.parseIsoTime(v)

const listOf = (v: string | boolean | undefined) =>
  str(v)
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean)

const fmtDuration = (s: number) =>
  !Number.isFinite(s)
    ? "?"
    : s >= 3600
      ? `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`
      : s >= 60
        ? `${Math.floor(s / 60)}m${Math.floor(s % 60)}s`
        : `${Math.round(s)}s`

/** A one-line progress bar on stderr (rate and ETA); plain lines when not a terminal. */
export const progressBar = (out: NodeJS.WriteStream = process.stderr) => {
  const started = Date.now()
  let lastPlain = 0
  return (p: ImportProgress, final = false) => {
    const secs = Math.max(0.001, (Date.now() - started) / 1000)
    const rate = p.lines / secs
    const frac = p.totalBytes === 0 ? 1 : Math.min(1, p.bytesRead / p.totalBytes)
    const eta = frac > 0 ? (secs / frac) * (1 - frac) : Infinity
    const width = 30
    const bar = "█".repeat(Math.round(frac * width)).padEnd(width, "░")
    const text = `${bar} ${(frac * 100).toFixed(1)}%  ${p.lines} lines  ${Math.round(rate)}/s  ETA ${fmtDuration(eta)}  recorded ${p.recorded}, already ${p.alreadyProcessed}, rejected ${p.rejected}`
    if (out.isTTY) out.write(`\r${text}${final ? "\n" : ""}`)
    else if (final || Date.now() - lastPlain > 2000) {
      lastPlain = Date.now()
      out.write(`${text}\n`)
    }
  }
}

export const dataCommands = (
  usageError: (message: string) => Error,
): Record<string, DataCommand> => ({
  erase: {
    usage: "erase --customer <id>",
    summary:
      "Erase a customer: profile, identifiers and every action; late events for them are rejected.",
    options: { customer: { type: "string" } },
    run: async (rt, values) => {
      const id = str(values.customer)
      if (id === undefined) throw usageError("--customer is required")
      const result = await rt.runPromise(
        Database.use((db) =>
          db.transaction(
            Effect.tap(
              Erasure.use((e) => e.erase(id)),
              (r) =>
                AuditLog.use((log) =>
                  log.append({
                    actor: cliActor,
                    ip: null,
                    action: "customers.erase",
                    targetType: "customer",
                    targetId: r.customerHash,
                    changes: {
                      alreadyErased: r.alreadyErased,
                      actions: r.actions,
                      identifiers: r.identifiers,
                      deleted: r.deleted,
                      redactedAuditEntries: r.redactedAuditEntries,
                    },
                  }),
                ),
            ),
          ),
        ),
      )
      await rt.runPromise(Erasure.use((e) => e.checkpoint))
      if (result.alreadyErased) console.log(`Customer ${id} was already erased.`)
      else {
        console.log(
          `Erased customer ${id}: ${result.actions} actions, ${result.identifiers} identifiers (${Object.entries(
            result.deleted,
          )
            .map(([t, n]) => `${t} ${n}`)
            .join(", ")}); ${result.redactedAuditEntries} audit entries redacted.`,
        )
      }
    },
  },
  export: {
    usage:
      "export --since <time> --till <time> [--template a,b] [--channel c] [--brand b] [--out FILE]\n      export --customer <id> [--out FILE]",
    summary:
      "Export actions recorded in [since, till) as NDJSON (ISO date-times or epoch ms), or one customer's complete data as JSON.",
    options: {
      since: { type: "string" },
      till: { type: "string" },
      template: { type: "string" },
      channel: { type: "string" },
      brand: { type: "string" },
      out: { type: "string" },
      customer: { type: "string" },
    },
    run: async (rt, values) => {
      const outPath = str(values.out)
      const out: WriteStream | NodeJS.WriteStream =
        outPath === undefined ? process.stdout : createWriteStream(outPath)
      const write = (text: string) =>
        new Promise<void>((resolve, reject) => {
          if (out.write(text)) resolve()
          else {
            out.once("drain", resolve)
            out.once("error", reject)
          }
        })
      const close = () =>
        outPath === undefined
          ? Promise.resolve()
          : new Promise<void>((resolve) => (out as WriteStream).end(resolve))
      const customer = str(values.customer)
      if (customer !== undefined) {
        const data = await rt.runPromise(Exports.use((e) => e.customer(customer)))
        await write(`${JSON.stringify(data, null, 2)}\n`)
        await close()
        if (outPath !== undefined) {
          console.error(
            `Exported customer ${customer} (${data.actions.length} actions) to ${outPath}.`,
          )
        }
        return
      }
      const since = parseTime(str(values.since))
      const till = parseTime(str(values.till))
      if (since === undefined)
        throw usageError("--since is required: an ISO date-time with zone or epoch ms")
      if (till === undefined)
        throw usageError("--till is required: an ISO date-time with zone or epoch ms")
      if (since > till) throw usageError("--since must not be after --till")
      const window: ExportWindow = {
        since,
        till,
        templates: listOf(values.template),
        channels: listOf(values.channel),
        brands: listOf(values.brand),
      }
      const count = await rt.runPromise(
        Exports.use((e) => e.writeNdjson(window, (text) => Effect.promise(() => write(text)))),
      )
      await close()
      console.error(`Exported ${count} actions${outPath === undefined ? "" : ` to ${outPath}`}.`)
    },
  },
  import: {
    usage:
      "import <file> [--format ndjson|csv] [--template <name>] [--report FILE] [--batch-size N] [--restart]",
    summary:
      "Import historical actions (NDJSON or CSV), streamed in batches; idempotent and resumable; rejected lines go to a report file.",
    options: {
      format: { type: "string" },
      template: { type: "string" },
      report: { type: "string" },
      "batch-size": { type: "string" },
      restart: { type: "boolean" },
    },
    run: async (rt, values, positionals) => {
      const path = positionals[0]
      if (path === undefined) throw usageError("the file to import is required")
      const format = str(values.format)
      if (format !== undefined && format !== "ndjson" && format !== "csv") {
        throw usageError("--format: ndjson or csv")
      }
      const batch = str(values["batch-size"])
      const batchSize = batch === undefined ? undefined : Number(batch)
      if (
        batchSize !== undefined &&
        !(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 1000)
      ) {
        throw usageError("--batch-size: an integer from 1 to 1000")
      }
      const bar = progressBar()
      const result = await rt.runPromise(
        Imports.use((i) =>
          i.importFile({
            path,
            format: format as "ndjson" | "csv" | undefined,
            template: str(values.template),
            reportPath: str(values.report),
            batchSize,
            restart: values.restart === true,
            onProgress: (p) => bar(p),
          }),
        ),
      )
      bar(result, true)
      console.log(
        `Imported ${path}${result.resumedFrom >= result.lines && result.lines > 0 ? " (already imported before: nothing to do; --restart re-reads it)" : result.resumedFrom > 0 ? ` (resumed after line ${result.resumedFrom})` : ""}: ${result.recorded} recorded, ${result.alreadyProcessed} already processed, ${result.rejected} rejected${result.rejected > 0 ? ` (see ${result.reportPath})` : ""}.`,
      )
    },
  },
})
