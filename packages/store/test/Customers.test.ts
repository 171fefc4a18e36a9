import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { ActionStore, Customers, Database } from "../src/index"
import { drivers } from "./helpers"
import { withStore } from "./support"

const actionCount = Effect.gen(function* () {
  const db = yield* Database
  const [row] = yield* db.query<{ n: number }>("SELECT count(*) AS n FROM actions")
  return row?.n ?? -1
})

const ids = (xs: ReadonlyArray<{ id: string }>) => xs.map((x) => x.id).sort()

for (const driver of drivers) {
  describe(`with the ${driver} driver`, () => {
    describe("Customers", () => {
      it.effect("creates with normalised identifiers, unique per kind", () =>
        withStore(
          Effect.gen(function* () {
            const customers = yield* Customers
            const ann = yield* customers.create({
              identifiers: [
                { kind: "email", value: " Ann@Example.COM " },
                { kind: "phone", value: "+44 (20) 7946-0000" },
                { kind: "loyaltyCard", value: "LC-1" },
              ],
              personal: { firstName: "Ann", lastName: "Lee" },
              tags: ["vip"],
            })
            assert.deepStrictEqual(
              [...ann.identifiers].sort((a, b) => a.kind.localeCompare(b.kind)),
              [
                { kind: "email", value: "ann@example.com" },
                { kind: "loyaltyCard", value: "LC-1" },
                { kind: "phone", value: "+442079460000" },
              ],
            )
            assert.deepStrictEqual(yield* customers.get(ann.id), ann)
            const taken = yield* Effect.flip(
              customers.create({ identifiers: [{ kind: "email", value: "ANN@example.com" }] }),
            )
            assert.strictEqual(taken["_tag"], "IdentifierTaken")
            const twice = yield* Effect.flip(
              customers.create({
                identifiers: [
                  { kind: "email", value: "x@example.com" },
                  { kind: "email", value: "y@example.com" },
                ],
              }),
            )
            assert.strictEqual(twice["_tag"], "InvalidPayload")
            // The same value under another kind is another identifier.
            const other = yield* customers.create({
              identifiers: [{ kind: "crmId", value: "LC-1" }],
            })
            assert.notStrictEqual(other.id, ann.id)
            const db = yield* Database
            const [n] = yield* db.query<{ n: number }>("SELECT count(*) AS n FROM customers")
            assert.strictEqual(n?.n, 2)
          }),
          driver,
        ),
      )

      it.effect("gets, finds by identifier, resolves, and searches", () =>
        withStore(
          Effect.gen(function* () {
            const customers = yield* Customers
            const ann = yield* customers.create({
              identifiers: [{ kind: "email", value: "ann@example.com" }],
              personal: { firstName: "Ann", lastName: "Lee" },
            })
            const bob = yield* customers.create({
              identifiers: [{ kind: "phone", value: "+15550100" }],
              personal: { firstName: "Bob", lastName: "Annan" },
            })
            assert.strictEqual(
              (yield* customers.findByIdentifier({ kind: "email", value: "ANN@example.com" })).id,
              ann.id,
            )
            assert.strictEqual((yield* customers.resolve({ id: bob.id })).id, bob.id)
            const missing = yield* Effect.flip(customers.get("c_nobody"))
            assert.strictEqual(missing["_tag"], "CustomerNotFound")
            const missing2 = yield* Effect.flip(
              customers.findByIdentifier({ kind: "email", value: "no@x.io" }),
            )
            assert.strictEqual(missing2["_tag"], "CustomerNotFound")
            // Any word of the name starts a match ("an": Ann Lee and Bob Annan), in name order;
            // inside a word nothing matches.
            assert.deepStrictEqual(
              (yield* customers.search("an")).map((c) => c.id),
              [ann.id, bob.id],
            )
            assert.deepStrictEqual(ids(yield* customers.search("ANN L")), [ann.id])
            assert.deepStrictEqual(ids(yield* customers.search("lee")), [ann.id])
            assert.deepStrictEqual(ids(yield* customers.search("annan")), [bob.id])
            assert.deepStrictEqual(yield* customers.search("nan"), [])
            // A new name replaces the old terms.
            yield* customers.update(
              bob.id,
              { personal: { firstName: "Bob", lastName: "Stone" } },
              { by: "staff" },
            )
            assert.deepStrictEqual(yield* customers.search("annan"), [])
            assert.deepStrictEqual(ids(yield* customers.search("stone")), [bob.id])
            assert.deepStrictEqual(ids(yield* customers.search("+1555")), [bob.id])
            assert.deepStrictEqual(ids(yield* customers.search("ann@")), [ann.id])
            assert.deepStrictEqual(ids(yield* customers.search(bob.id)), [bob.id])
            assert.deepStrictEqual(yield* customers.search("zzz"), [])
            assert.deepStrictEqual(yield* customers.search("  "), [])
          }),
          driver,
        ),
      )

      it.effect(
        "a customer's own edit records ProfileEdited with the diff, in the same transaction",
        () =>
          withStore(
            Effect.gen(function* () {
              const customers = yield* Customers
              const store = yield* ActionStore
              const ann = yield* customers.create({
                identifiers: [{ kind: "email", value: "ann@example.com" }],
                personal: { firstName: "Ann" },
              })
              const r = yield* customers.update(
                ann.id,
                { personal: { firstName: "Anna", city: "Berlin" } },
                { by: "customer" },
              )
              assert.strictEqual(r.profile.personal.firstName, "Anna")
              const d = yield* store.get(r.actionId!)
              assert.strictEqual(d.action.template, "ProfileEdited")
              assert.deepStrictEqual(d.action.payload, {
                changes: [
                  { field: "personal.city", before: null, after: "Berlin" },
                  { field: "personal.firstName", before: "Ann", after: "Anna" },
                ],
              })
              // No change, no action.
              const same = yield* customers.update(
                ann.id,
                { personal: { firstName: "Anna", city: "Berlin" } },
                { by: "customer" },
              )
              assert.isUndefined(same.actionId)
              assert.strictEqual(yield* actionCount, 1)
            }),
            driver,
          ),
      )

      it.effect("a staff correction records ProfileCorrected; a failed edit changes nothing", () =>
        withStore(
          Effect.gen(function* () {
            const customers = yield* Customers
            const store = yield* ActionStore
            const ann = yield* customers.create({
              identifiers: [{ kind: "email", value: "ann@example.com" }],
            })
            yield* customers.create({ identifiers: [{ kind: "email", value: "bob@example.com" }] })
            const r = yield* customers.update(
              ann.id,
              { identifiers: [{ kind: "email", value: "anna@example.com" }] },
              { by: "staff", reason: "typo", recordedBy: { kind: "staff", id: "u1" } },
            )
            const d = yield* store.get(r.actionId!)
            assert.strictEqual(d.action.template, "ProfileCorrected")
            assert.strictEqual(d.action.category, "system")
            assert.deepStrictEqual(d.action.recordedBy, { kind: "staff", id: "u1" })
            assert.deepStrictEqual(d.action.payload, {
              changes: [
                {
                  field: "identifiers.email",
                  before: "ann@example.com",
                  after: "anna@example.com",
                },
              ],
              reason: "typo",
            })
            assert.strictEqual(
              (yield* customers.findByIdentifier({ kind: "email", value: "anna@example.com" })).id,
              ann.id,
            )
            const old = yield* Effect.flip(
              customers.findByIdentifier({ kind: "email", value: "ann@example.com" }),
            )
            assert.strictEqual(old["_tag"], "CustomerNotFound")

            const taken = yield* Effect.flip(
              customers.update(
                ann.id,
                { identifiers: [{ kind: "email", value: "bob@example.com" }], tags: ["x"] },
                { by: "staff" },
              ),
            )
            assert.strictEqual(taken["_tag"], "IdentifierTaken")
            const after = yield* customers.get(ann.id)
            assert.deepStrictEqual(after.tags, [])
            assert.strictEqual(yield* actionCount, 1)
            const missing = yield* Effect.flip(
              customers.update("c_nobody", { tags: ["x"] }, { by: "staff" }),
            )
            assert.strictEqual(missing["_tag"], "CustomerNotFound")
          }),
          driver,
        ),
      )
    })
  })
}
