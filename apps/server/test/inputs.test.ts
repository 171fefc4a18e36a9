import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { client, failure, snapshot, startTestServer, untyped, type TestServer } from "./helpers"

// Bad inputs get a 4xx with the error's tag and field path, and change nothing.

let t: TestServer
let ingest: ReturnType<typeof client>
let raw: ReturnType<typeof untyped>
const customer = { identifier: { kind: "email", value: "anna.ivanova0@example.com" } }
const view = {
  product: { productId: "sku-42", name: "Linen shirt", categoryId: "shirts", price: 39.9 },
}

beforeAll(async () => {
  t = await startTestServer({ seed: true })
  ingest = client(t.url, { apiKey: t.keys.ingest })
  raw = untyped(t.url, { apiKey: t.keys.admin })
})
afterAll(() => t.close())

const expectUnchanged = async (run: () => Promise<void>) => {
  const before = await snapshot(t.server)
  await run()
  expect(await snapshot(t.server)).toBe(before)
}

describe("bad inputs", () => {
  it("wrong types: 400 InputInvalid with the field path", async () => {
    await expectUnchanged(async () => {
      const f = await failure(raw.mutation("actions.record", { customer, template: 42 }))
      expect(f.data).toMatchObject({
        httpStatus: 400,
        tag: "InputInvalid",
        fieldPath: ["template"],
      })
      const g = await failure(
        raw.mutation("actions.record", { customer: { id: 7 }, template: "ProductViewed" }),
      )
      expect(g.data).toMatchObject({ httpStatus: 400, tag: "InputInvalid" })
      expect(g.data.fieldPath?.[0]).toBe("customer")
      const h = await failure(
        raw.mutation("templates.create", { displayName: "", category: "other" }),
      )
      expect(h.data).toMatchObject({ httpStatus: 400, tag: "InputInvalid" })
    })
  })

  it("unknown template, invalid payload, unknown customer, future event time", async () => {
    await expectUnchanged(async () => {
      const unknown = await failure(
        ingest.actions.record.mutate({ customer, template: "Teleported" }),
      )
      expect(unknown.data).toMatchObject({
        httpStatus: 400,
        tag: "UnknownTemplate",
        fieldPath: ["template"],
      })
      expect(unknown.message).toContain("Teleported")

      const payload = await failure(
        ingest.actions.record.mutate({
          customer,
          template: "ProductViewed",
          payload: { product: { ...view.product, price: "cheap" } },
        }),
      )
      expect(payload.data).toMatchObject({ httpStatus: 400, tag: "InvalidPayload" })
      expect(payload.data.fieldPath).toEqual(["payload", "product", "price"])

      const nobody = await failure(
        ingest.actions.record.mutate({
          customer: { identifier: { kind: "email", value: "ghost@example.com" } },
          template: "ProductViewed",
          payload: view,
        }),
      )
      expect(nobody.data).toMatchObject({
        httpStatus: 404,
        tag: "CustomerNotFound",
        fieldPath: ["customer"],
      })

      const future = await failure(
        ingest.actions.record.mutate({
          customer,
          template: "ProductViewed",
          payload: view,
          occurredAt: new Date(Date.now() + 3600_000).toISOString(),
        }),
      )
      expect(future.data).toMatchObject({
        httpStatus: 400,
        tag: "EventTimeInFuture",
        fieldPath: ["occurredAt"],
      })
    })
  })

  it("payload over 32 KiB: 413; batch over 1,000 items: 413; body over 1 MiB: 413", async () => {
    await expectUnchanged(async () => {
      const big = await failure(
        ingest.actions.record.mutate({
          customer,
          template: "NoteAdded",
          payload: { text: "x".repeat(33 * 1024) },
        }),
      )
      expect(big.data).toMatchObject({
        httpStatus: 413,
        tag: "PayloadTooLarge",
        fieldPath: ["payload"],
      })
      const items = Array.from({ length: 1001 }, () => ({
        customer,
        template: "ProductViewed",
        payload: view,
      }))
      const many = await failure(ingest.actions.recordBatch.mutate({ items }))
      expect(many.data).toMatchObject({ httpStatus: 413, tag: "BatchTooLarge" })
      const huge = Array.from({ length: 900 }, () => ({
        customer,
        template: "NoteAdded",
        payload: { text: "y".repeat(1500) },
      }))
      const body = await failure(ingest.actions.recordBatch.mutate({ items: huge }))
      expect(body.data).toMatchObject({ httpStatus: 413, tag: "PayloadTooLarge" })
    })
  })

  it("unknown lookups answer 404; a bad cursor 400; malformed JSON 400", async () => {
    await expectUnchanged(async () => {
      const reader = client(t.url, { apiKey: t.keys.read })
      const tpl = await failure(reader.templates.get.query({ systemName: "Nope" }))
      expect(tpl.data).toMatchObject({ httpStatus: 404, tag: "UnknownTemplate" })
      const action = await failure(
        reader.actions.get.query({ id: "0190f6a4-0000-7000-8000-000000000000" }),
      )
      expect(action.data).toMatchObject({ httpStatus: 404, tag: "ActionNotFound" })
      const cursor = await failure(reader.actions.list.query({ cursor: "garbage" }))
      expect(cursor.data).toMatchObject({
        httpStatus: 400,
        tag: "InvalidCursor",
        fieldPath: ["cursor"],
      })
      const res = await fetch(`${t.url}/trpc/actions.record`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${t.keys.ingest}` },
        body: "{not json",
      })
      expect(res.status).toBe(400)
    })
  })

  it("multi-brand mode: an action without a brand is rejected with BrandRequired", async () => {
    const admin = client(t.url, { cookie: t.cookies.admin })
    await admin.settings.update.mutate({ multiBrand: true })
    try {
      await expectUnchanged(async () => {
        const f = await failure(
          ingest.actions.record.mutate({
            customer,
            template: "MessageSent",
            touchpoint: { externalId: "esp" }, // a touchpoint without a brand
            payload: { message: { campaignId: "c", messageId: "m", channel: "email" } },
          }),
        )
        expect(f.data).toMatchObject({
          httpStatus: 400,
          tag: "BrandRequired",
          fieldPath: ["brand"],
        })
        const batch = await ingest.actions.recordBatch.mutate({
          items: [
            {
              customer,
              template: "MessageSent",
              touchpoint: { externalId: "esp" },
              payload: { message: { campaignId: "c", messageId: "m", channel: "email" } },
            },
          ],
        })
        expect(batch.results[0]).toMatchObject({
          status: "rejected",
          tag: "BrandRequired",
          path: ["brand"],
        })
      })
      // With the brand it is recorded.
      const ok = await ingest.actions.record.mutate({
        customer,
        template: "MessageSent",
        touchpoint: { externalId: "esp" },
        brand: "southwind",
        payload: { message: { campaignId: "c", messageId: "m", channel: "email" } },
      })
      expect(ok.status).toBe("recorded")
    } finally {
      await admin.settings.update.mutate({ multiBrand: false })
    }
  })
})
