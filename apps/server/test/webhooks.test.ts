import { spawn } from "node:child_process"
import { createHmac, timingSafeEqual } from "node:crypto"
import { rmSync } from "node:fs"
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { AuditLog, Database } from "@actionlog/store"
import { client, failure, startTestServer, type TestServer } from "./helpers"

// Webhooks end to end: real receivers on 127.0.0.1, real servers (in-process and child
// processes of src/main.ts) over one database file. Waits are for conditions, never fixed.

const serverDir = join(import.meta.dirname, "..")

interface Received {
  readonly headers: IncomingHttpHeaders
  readonly body: string
  readonly ids: ReadonlyArray<string>
  /** The receiver answered 2xx (accepted the delivery). */
  readonly accepted: () => boolean
}

interface Receiver {
  readonly url: string
  readonly received: Array<Received>
  /** Decides each answer (status), may delay it; default 200 at once. */
  respond: (n: number, res: ServerResponse) => void
  readonly close: () => Promise<void>
}

const startReceiver = async (): Promise<Receiver> => {
  const received: Array<Received> = []
  const receiver: Receiver = {
    url: "",
    received,
    respond: (_n, res) => res.writeHead(200).end("ok"),
    close: () => new Promise((r) => server.close(() => r())),
  }
  const server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8")
      const parsed = JSON.parse(body) as { data: Array<{ id: string }> }
      received.push({
        headers: req.headers,
        body,
        ids: parsed.data.map((a) => a.id),
        accepted: () => res.headersSent && res.statusCode >= 200 && res.statusCode < 300,
      })
      receiver.respond(received.length, res)
    })
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()))
  ;(receiver as { url: string }).url =
    `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
  return receiver
}

const waitFor = async (what: string, condition: () => boolean | Promise<boolean>, ms = 20_000) => {
  const deadline = Date.now() + ms
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Standard Webhooks verification, written from the spec (not the server's code). */
const verify = (secret: string, headers: IncomingHttpHeaders, body: string): boolean => {
  const id = String(headers["webhook-id"])
  const timestamp = String(headers["webhook-timestamp"])
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64")
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest()
  return String(headers["webhook-signature"])
    .split(" ")
    .some((part) => {
      const [version, sig] = part.split(",")
      const given = Buffer.from(sig ?? "", "base64")
      return (
        version === "v1" && given.length === expected.length && timingSafeEqual(given, expected)
      )
    })
}

/**
 * The order in which the receiver first accepted each action, checking on the way that every
 * repeat of an action (retries included) came under the same webhook-id.
 */
const deliveredInOrder = (received: ReadonlyArray<Received>) => {
  const seen = new Map<string, string>()
  const order: Array<string> = []
  const firstIds = new Map<string, string>()
  for (const r of received) {
    for (const a of r.ids) {
      const id = String(r.headers["webhook-id"])
      const first = firstIds.get(a)
      if (first === undefined) firstIds.set(a, id)
      else expect(first, `action ${a} repeated under another webhook-id`).toBe(id)
    }
  }
  for (const r of received.filter((x) => x.accepted())) {
    const id = String(r.headers["webhook-id"])
    for (const a of r.ids) {
      const first = seen.get(a)
      if (first === undefined) {
        seen.set(a, id)
        order.push(a)
      } else {
        expect(first, `action ${a} repeated under another webhook-id`).toBe(id)
      }
    }
  }
  return order
}

const viewed = (n: number) => ({
  customer: { identifier: { kind: "email", value: `c${n % 7}@example.com` } },
  createCustomer: true,
  template: "ProductViewed",
  payload: { product: { productId: `p-${n}`, name: "Shirt", price: 10 } },
})

const fast = {
  allowPrivate: true,
  retryBaseMs: 40,
  retryMaxMs: 400,
  leaseMs: 1500,
  pollMs: 40,
  attemptTimeoutMs: 2000,
}

describe("webhooks", () => {
  let t: TestServer
  let receiver: Receiver
  beforeAll(async () => {
    t = await startTestServer({ webhooks: fast })
    receiver = await startReceiver()
  })
  afterAll(async () => {
    await t.close()
    await receiver.close()
  })

  it("retries 500s with backoff, then delivers every action in order, signed", async () => {
    const admin = client(t.url, { apiKey: t.keys.admin })
    const ingest = client(t.url, { apiKey: t.keys.ingest })
    const { webhook, secret } = await admin.webhooks.create.mutate({
      name: "crm",
      url: receiver.url,
      filter: { templates: ["ProductViewed"] },
    })
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/)
    expect(webhook.state).toBe("active")
    receiver.respond = (n, res) => res.writeHead(n <= 3 ? 500 : 200).end(n <= 3 ? "down" : "ok")

    const start = new Date().toISOString()
    const ids: Array<string> = []
    for (let b = 0; b < 4; b++) {
      const r = await ingest.actions.recordBatch.mutate({
        items: Array.from({ length: 5 }, (_, i) => viewed(b * 5 + i)),
      })
      for (const item of r.results) if (item.status === "recorded") ids.push(item.id)
    }
    expect(ids).toHaveLength(20)
    await waitFor("every action", () => new Set(deliveredInOrder(receiver.received)).size >= 20)
    expect(deliveredInOrder(receiver.received)).toEqual(ids)
    for (const r of receiver.received) {
      expect(verify(secret, r.headers, r.body)).toBe(true)
      expect(JSON.parse(r.body).type).toBe("actions.issued")
    }
    // A tampered body does not verify.
    const first = receiver.received[0]!
    expect(verify(secret, first.headers, first.body.replace("p-0", "p-9"))).toBe(false)
    // The three 500s retried the same delivery under the same id.
    const firstId = first.headers["webhook-id"]
    expect(receiver.received.slice(0, 4).map((r) => r.headers["webhook-id"])).toEqual([
      firstId,
      firstId,
      firstId,
      firstId,
    ])

    const got = await admin.webhooks.get.query({ id: webhook.id, attempts: 50 })
    const attempts = got.attempts.toReversed()
    expect(attempts.slice(0, 3).map((a) => [a.ok, a.status, a.error])).toEqual([
      [false, 500, "HTTP 500"],
      [false, 500, "HTTP 500"],
      [false, 500, "HTTP 500"],
    ])
    expect(attempts[3]).toMatchObject({ ok: true, status: 200, deliveryId: firstId })
    await waitFor("caught up", async () => {
      const w = await admin.webhooks.get.query({ id: webhook.id })
      return w.webhook.state === "active" && w.webhook.lagSeconds === 0
    })
    const metrics = await (await fetch(`${t.url}/metrics`)).text()
    expect(metrics).toContain(`actionlog_webhook_failures_total{webhook="${webhook.id}"} 3`)
    expect(metrics).toMatch(
      new RegExp(`actionlog_webhook_actions_delivered_total\\{webhook="${webhook.id}"\\} 20`),
    )
    expect(metrics).toContain(`actionlog_webhook_lag_seconds{webhook="${webhook.id}"} 0`)

    // Rotation: both secrets verify during the grace period.
    const rotated = await admin.webhooks.rotateSecret.mutate({ id: webhook.id })
    receiver.received.length = 0
    await ingest.actions.record.mutate(viewed(99))
    await waitFor("the delivery after rotation", () => receiver.received.length >= 1)
    const after = receiver.received[0]!
    expect(verify(rotated.secret, after.headers, after.body)).toBe(true)
    expect(verify(secret, after.headers, after.body)).toBe(true)
    // Acknowledged and its cursor moved on: no delivery of before the replay is still open.
    await waitFor("caught up after rotation", async () => {
      const w = await admin.webhooks.get.query({ id: webhook.id })
      return w.webhook.state === "active" && w.webhook.lagSeconds === 0
    })

    // Replay from a recorded time: everything again, under new ids.
    receiver.received.length = 0
    await admin.webhooks.replay.mutate({ id: webhook.id, recordedAt: start })
    await waitFor("the replay", () => new Set(deliveredInOrder(receiver.received)).size >= 21)
    expect(deliveredInOrder(receiver.received).slice(0, 20)).toEqual(ids)
    expect(receiver.received.map((r) => r.headers["webhook-id"])).not.toContain(firstId)

    const log = await t.server.runtime.runPromise(
      AuditLog.use((a) => a.list({ limit: 20, targetType: "webhook" })),
    )
    expect(log.entries.map((e) => e.action)).toEqual([
      "webhooks.replay",
      "webhooks.rotateSecret",
      "webhooks.create",
    ])
    expect(JSON.stringify(log.entries)).not.toContain(secret.slice(6))
    // The stored secret is ciphertext.
    const rows = await t.server.runtime.runPromise(
      Database.use((db) =>
        db.query<{ ciphertext: string }>("SELECT ciphertext FROM webhook_secrets"),
      ),
    )
    expect(JSON.stringify(rows)).not.toContain(secret.slice(6, 20))
    await admin.webhooks.delete.mutate({ id: webhook.id })
  })

  it("update changes the target and filter (audited); test sends a signed test event", async () => {
    const admin = client(t.url, { apiKey: t.keys.admin })
    const ingest = client(t.url, { apiKey: t.keys.ingest })
    const other = await startReceiver()
    try {
      const { webhook, secret } = await admin.webhooks.create.mutate({
        name: "to-update",
        url: receiver.url,
        filter: { templates: ["MessageSent"] },
      })
      const updated = await admin.webhooks.update.mutate({
        id: webhook.id,
        name: "updated",
        url: other.url,
        filter: { templates: ["ProductViewed"] },
      })
      expect(updated).toMatchObject({ name: "updated", url: other.url })
      expect(updated.filter.templates).toEqual(["ProductViewed"])
      const before = other.received.length
      const attempt = await admin.webhooks.test.mutate({ id: webhook.id })
      expect(attempt).toMatchObject({ ok: true, status: 200 })
      const sent = other.received[before]!
      expect(JSON.parse(sent.body).type).toBe("webhook.test")
      expect(verify(secret, sent.headers, sent.body)).toBe(true)
      // The new filter and target apply to what is recorded next.
      const r = await ingest.actions.record.mutate(viewed(900))
      await waitFor("delivered to the new target", () =>
        other.received.some((x) => x.accepted() && x.ids.includes(r.id)),
      )
      const audit = await admin.audit.list.query({ targetType: "webhook" })
      expect(audit.entries.map((e) => e.action)).toContain("webhooks.update")
      await admin.webhooks.delete.mutate({ id: webhook.id })
      const missing = await failure(admin.webhooks.update.mutate({ id: webhook.id, name: "x" }))
      expect(missing.data.tag).toBe("WebhookNotFound")
      expect((await failure(admin.webhooks.test.mutate({ id: webhook.id }))).data.httpStatus).toBe(
        404,
      )
    } finally {
      await other.close()
    }
  })

  it("pauses with the reason after the retry window, audited; resume continues", async () => {
    const s = await startTestServer({ webhooks: { ...fast, retryWindowMs: 300 } })
    const down = await startReceiver()
    try {
      down.respond = (_n, res) => res.writeHead(503).end("maintenance")
      const admin = client(s.url, { apiKey: s.keys.admin })
      const { webhook } = await admin.webhooks.create.mutate({ name: "down", url: down.url })
      const recorded = await client(s.url, { apiKey: s.keys.ingest }).actions.record.mutate(
        viewed(1),
      )
      await waitFor("the pause", async () => {
        const w = await admin.webhooks.get.query({ id: webhook.id })
        return w.webhook.state === "paused"
      })
      const { webhook: paused } = await admin.webhooks.get.query({ id: webhook.id })
      expect(paused.pausedReason).toMatch(/^Paused after \d+ failed attempts .*HTTP 503$/)
      const log = await s.server.runtime.runPromise(
        AuditLog.use((a) => a.list({ limit: 5, targetType: "webhook", action: "webhooks.pause" })),
      )
      expect(log.entries[0]).toMatchObject({ actor: { kind: "system", label: "webhooks" } })

      down.respond = (_n, res) => res.writeHead(204).end()
      const before = down.received.length
      await admin.webhooks.resume.mutate({ id: webhook.id })
      await waitFor("delivery after resume", () =>
        down.received.slice(before).some((r) => r.ids.includes(recorded.id)),
      )
      await waitFor("caught up", async () => {
        const w = await admin.webhooks.get.query({ id: webhook.id })
        return w.webhook.state === "active" && w.webhook.failures === 0
      })
    } finally {
      await s.close()
      await down.close()
    }
  })

  it("never delivers an erased customer's actions; replays a delivery under a new id", async () => {
    const admin = client(t.url, { apiKey: t.keys.admin })
    const ingest = client(t.url, { apiKey: t.keys.ingest })
    const hook = await startReceiver()
    try {
      let up = false
      hook.respond = (_n, res) => res.writeHead(up ? 200 : 500).end()
      const { webhook } = await admin.webhooks.create.mutate({ name: "erase", url: hook.url })
      const person = (who: string, n: number) => ({
        ...viewed(n),
        customer: { identifier: { kind: "email", value: `${who}@erase.example` } },
      })
      const batch = await ingest.actions.recordBatch.mutate({
        items: [person("gone", 1), person("kept", 2), person("gone", 3), person("kept", 4)],
      })
      const ids = batch.results.map((r) => (r.status === "recorded" ? r.id : ""))
      await waitFor("a failed attempt", () => hook.received.length >= 1)
      const pendingId = hook.received[0]!.headers["webhook-id"]
      expect(hook.received[0]!.ids).toEqual(ids)
      const [row] = await t.server.runtime.runPromise(
        Database.use((db) =>
          db.query<{ customer_id: string }>("SELECT customer_id FROM actions WHERE id = ?", [
            ids[0]!,
          ]),
        ),
      )
      // Paused and released by its worker: no attempt is in flight while the erasure runs.
      await admin.webhooks.pause.mutate({ id: webhook.id })
      await waitFor("the worker to let go", async () => {
        const [lease] = await t.server.runtime.runPromise(
          Database.use((db) =>
            db.query<{ lease_holder: string | null }>(
              "SELECT lease_holder FROM webhooks WHERE id = ?",
              [webhook.id],
            ),
          ),
        )
        return lease?.lease_holder === null
      })
      await admin.erasure.erase.mutate({ customerId: row!.customer_id as never })
      up = true
      await admin.webhooks.resume.mutate({ id: webhook.id })
      await waitFor("the delivery", async () => {
        const w = await admin.webhooks.get.query({ id: webhook.id })
        return w.webhook.failures === 0 && w.webhook.deliveredUpTo !== null
      })
      const last = hook.received[hook.received.length - 1]!
      // The same delivery (same id), without the erased customer's actions.
      expect(last.headers["webhook-id"]).toBe(pendingId)
      expect(last.ids).toEqual([ids[1], ids[3]])

      hook.received.length = 0
      // The same range again, under a new id (receivers deduplicating would drop a reused one).
      await admin.webhooks.replay.mutate({ id: webhook.id, deliveryId: String(pendingId) })
      await waitFor("the replay", () => hook.received.length >= 1)
      expect(hook.received[0]!.ids).toEqual([ids[1], ids[3]])
      expect(hook.received[0]!.headers["webhook-id"]).not.toBe(pendingId)
      const bad = await failure(
        admin.webhooks.replay.mutate({ id: webhook.id, deliveryId: "wh_other_0_1_2" }),
      )
      expect(bad.data.tag).toBe("InvalidReplayPoint")
      await admin.webhooks.delete.mutate({ id: webhook.id })
    } finally {
      await hook.close()
    }
  })

  it("a redirect (not followed) or a timeout is a failed attempt, retried until a 2xx", async () => {
    const admin = client(t.url, { apiKey: t.keys.admin })
    const hook = await startReceiver()
    const elsewhere = await startReceiver()
    try {
      hook.respond = (n, res) => {
        if (n === 1) res.writeHead(302, { location: elsewhere.url }).end()
        else if (n === 2)
          return // never answers: the attempt times out
        else res.writeHead(200).end("x".repeat(5_000_000))
      }
      const { webhook } = await admin.webhooks.create.mutate({ name: "edge", url: hook.url })
      await client(t.url, { apiKey: t.keys.ingest }).actions.record.mutate(viewed(7))
      await waitFor("the third attempt to succeed", async () => {
        const w = await admin.webhooks.get.query({ id: webhook.id })
        return w.attempts.some((a) => a.ok)
      })
      const { attempts } = await admin.webhooks.get.query({ id: webhook.id })
      expect(
        attempts
          .toReversed()
          .map((a) => [a.ok, a.status, a.error?.replace(/after \d+ ms/, "after N ms")]),
      ).toEqual([
        [false, 302, "HTTP 302"],
        [false, null, "timed out after N ms"],
        [true, 200, undefined],
      ])
      expect(elsewhere.received).toHaveLength(0)
      await admin.webhooks.delete.mutate({ id: webhook.id })
    } finally {
      await hook.close()
      await elsewhere.close()
    }
  })

  it("refuses private and loopback targets by default, changing nothing", async () => {
    const s = await startTestServer()
    try {
      const admin = client(s.url, { apiKey: s.keys.admin })
      for (const url of [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://10.1.2.3/",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data",
        "ftp://example.com/",
        "not a url",
      ]) {
        const e = await failure(admin.webhooks.create.mutate({ name: "x", url }))
        expect(e.data).toMatchObject({ code: "BAD_REQUEST", tag: "InvalidWebhookTarget" })
        expect(e.data.fieldPath).toEqual(["url"])
      }
      expect(await admin.webhooks.list.query()).toEqual([])
      const unknown = await failure(
        admin.webhooks.create.mutate({
          name: "x",
          url: "https://93.184.215.14/hook",
          filter: { templates: ["NoSuchTemplate"] },
        }),
      )
      expect(unknown.data.tag).toBe("UnknownTemplate")
      const missing = await failure(admin.webhooks.get.query({ id: "wh_missing" }))
      expect(missing.data).toMatchObject({ code: "NOT_FOUND", tag: "WebhookNotFound" })
      // Staff without webhooks.manage are refused.
      const nobody = client(s.url, { cookie: s.cookies.nobody })
      expect((await failure(nobody.webhooks.list.query())).data.code).toBe("FORBIDDEN")
    } finally {
      await s.close()
    }
  })
})

// ---- several processes ----------------------------------------------------------------------

interface Child {
  readonly url: Promise<string>
  readonly exited: Promise<number | null>
  readonly kill: (signal: NodeJS.Signals) => void
}

const spawnServer = (dbPath: string): Child => {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: serverDir,
    env: {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: "0",
      ACTIONLOG_SEED: "false",
      ACTIONLOG_DB_URL: `file:${dbPath}`,
      ACTIONLOG_WEBHOOKS_ALLOW_PRIVATE: "true",
      ACTIONLOG_WEBHOOKS_RETRY_BASE_MS: String(fast.retryBaseMs),
      ACTIONLOG_WEBHOOKS_RETRY_MAX_MS: String(fast.retryMaxMs),
      ACTIONLOG_WEBHOOKS_LEASE_MS: String(fast.leaseMs),
      ACTIONLOG_WEBHOOKS_POLL_MS: String(fast.pollMs),
      ACTIONLOG_WEBHOOKS_TIMEOUT_MS: String(fast.attemptTimeoutMs),
    },
  })
  let out = ""
  const url = new Promise<string>((resolve) =>
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString()
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m) resolve(m[1]!)
    }),
  )
  child.stderr.resume()
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)))
  return { url, exited, kill: (s) => child.kill(s) }
}

const actionIdsInOrder = (t: TestServer) =>
  t.server.runtime
    .runPromise(
      Database.use((db) => db.query<{ id: string }>("SELECT id FROM actions ORDER BY seq")),
    )
    .then((rows) => rows.map((r) => r.id))

describe("webhooks across server processes", () => {
  it("a server killed with SIGKILL mid-delivery: after restart nothing is missing", async () => {
    // The in-process server makes the keys and the subscription, then stops; the child
    // processes deliver.
    const t = await startTestServer({ webhooks: fast })
    const receiver = await startReceiver()
    let child: Child | undefined
    try {
      const { webhook, secret } = await client(t.url, {
        apiKey: t.keys.admin,
      }).webhooks.create.mutate({ name: "kill", url: receiver.url })
      await t.server.close()
      // Answers slowly, so the kill lands while a delivery is in flight.
      let inFlight = 0
      receiver.respond = (_n, res) => {
        inFlight++
        setTimeout(() => {
          inFlight--
          res.writeHead(200).end()
        }, 150)
      }
      child = spawnServer(t.dbPath)
      const ingest = client(await child.url, { apiKey: t.keys.ingest })
      for (let b = 0; b < 3; b++) {
        await ingest.actions.recordBatch.mutate({
          items: Array.from({ length: 10 }, (_, i) => viewed(b * 10 + i)),
        })
      }
      await waitFor("a delivery in flight", () => receiver.received.length >= 2 && inFlight > 0)
      child.kill("SIGKILL")
      await child.exited
      const reopened = spawnServer(t.dbPath)
      child = reopened
      const ingest2 = client(await reopened.url, { apiKey: t.keys.ingest })
      await ingest2.actions.recordBatch.mutate({
        items: Array.from({ length: 10 }, (_, i) => viewed(100 + i)),
      })
      const reference = await idsInFile(t.dbPath)
      await waitFor(
        "every action after the restart",
        () => new Set(deliveredInOrder(receiver.received)).size >= reference.length,
      )
      expect(deliveredInOrder(receiver.received)).toEqual(reference)
      for (const r of receiver.received) expect(verify(secret, r.headers, r.body)).toBe(true)
      // The delivery cut off by the kill came again, under its id, from the new process.
      const ids = receiver.received.map((r) => String(r.headers["webhook-id"]))
      expect(ids.length).toBeGreaterThan(new Set(ids).size)
      expect(ids.every((id) => id.startsWith(`${webhook.id}_`))).toBe(true)
    } finally {
      child?.kill("SIGKILL")
      await child?.exited
      await receiver.close()
      rmSync(join(t.dbPath, ".."), { recursive: true, force: true })
    }
  })

  it("two server processes deliver each action once, in order, sharing the subscriptions", async () => {
    const t = await startTestServer({ webhooks: fast })
    const receivers = [await startReceiver(), await startReceiver(), await startReceiver()]
    const admin = client(t.url, { apiKey: t.keys.admin })
    for (const [i, r] of receivers.entries()) {
      await admin.webhooks.create.mutate({ name: `team-${i}`, url: r.url })
    }
    const holders = () =>
      t.server.runtime
        .runPromise(
          Database.use((db) =>
            db.query<{ lease_holder: string | null }>("SELECT lease_holder FROM webhooks"),
          ),
        )
        .then((rows) => rows.map((h) => h.lease_holder))
    // Alone, the first process delivers all three.
    await waitFor("one process holding every lease", async () => {
      const h = await holders()
      return h.every((x) => x !== null && x === h[0])
    })
    const child = spawnServer(t.dbPath)
    try {
      const childUrl = await child.url
      const a = client(t.url, { apiKey: t.keys.ingest })
      const b = client(childUrl, { apiKey: t.keys.ingest })
      for (let n = 0; n < 12; n++) {
        await (n % 2 === 0 ? a : b).actions.recordBatch.mutate({
          items: Array.from({ length: 10 }, (_, i) => viewed(n * 10 + i)),
        })
      }
      const reference = await actionIdsInOrder(t)
      expect(reference).toHaveLength(120)
      for (const r of receivers) {
        await waitFor(
          "every action at every receiver",
          () => deliveredInOrder(r.received).length >= 120,
        )
        expect(deliveredInOrder(r.received)).toEqual(reference)
        // Nothing was delivered twice: no crash, so each delivery arrived once.
        const ids = r.received.map((x) => String(x.headers["webhook-id"]))
        expect(new Set(ids).size).toBe(ids.length)
      }
      // The first hands leases over (between deliveries) once the second is alive.
      await waitFor("leases on both processes", async () => new Set(await holders()).size === 2)
    } finally {
      child.kill("SIGKILL")
      await child.exited
      await t.close()
      for (const r of receivers) await r.close()
    }
  })
})

/** The action ids of a database file in recorded order (a plain connection, no worker). */
const idsInFile = (dbPath: string): Promise<Array<string>> =>
  Effect.runPromise(
    Database.use((db) => db.query<{ id: string }>("SELECT id FROM actions ORDER BY seq")).pipe(
      Effect.provide(Database.layer({ url: `file:${dbPath}`, migrate: false })),
    ),
  ).then((rows) => rows.map((r) => r.id))
