import * as Store from "@actionlog/store"
import { Effect } from "effect"
import { createWriteStream } from "node:fs"
import { join } from "node:path"
import { actionStream, makeCustomers, take } from "./lib/data"
import { insertCustomers, migrateOnly, openNative, storeRuntime, tempDir } from "./lib/setup"
const LINES = Number(process.env["N"] ?? 300000)
const { dir, cleanup } = tempDir("memcheck")
const file = join(dir, "a.ndjson"); const path = join(dir, "i.db")
await migrateOnly(path); const db = openNative(path); insertCustomers(db, makeCustomers(10000)); db.close()
const items = actionStream({ seed: 7, customers: 10000, heavy: 5, heavyShare: 0.2, spanMs: 3e10, nowMs: Date.now(), byEmailShare: 0.2, txPrefix: "m" })
const out = createWriteStream(file)
for (let d = 0; d < LINES; ) { const c = take(items, 1000); d += c.length; if (!out.write(c.map((i) => JSON.stringify(i.input)).join("\n") + "\n")) await new Promise<void>((r) => out.once("drain", () => r())) }
await new Promise<void>((r) => out.end(() => r()))
const rt = storeRuntime(path)
const imports = await rt.runPromise(Effect.service(Store.Imports))
let next = 0
await rt.runPromise(imports.importFile({ path: file, onProgress: (p) => { if (p.lines >= next) { next += LINES / 10; const m = process.memoryUsage(); console.log(p.lines, "rss", Math.round(m.rss / 1e6), "heap", Math.round(m.heapUsed / 1e6), "ext", Math.round(m.external / 1e6), "ab", Math.round(m.arrayBuffers / 1e6)) } } }))
await rt.dispose(); cleanup()
