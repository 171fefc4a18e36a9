import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { ActionStore, Customers, LiveActions } from "../src/index"
import { remoteLane } from "./helpers"
import { viewed, withStore } from "./support"

/**
 * Let forked fibers run until they block: the native driver answers synchronously; over the
 * network (remote lane) their queries need real time.
 */
const settle = Effect.andThen(
  remoteLane
    ? Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 50)))
    : Effect.void,
  Effect.repeat(Effect.yieldNow, { times: 20 }),
)

// Under the TestClock the poll's sleep only ends when the test moves the clock, so a waiter
// that finishes while the clock stands still was woken by the commit.
describe("LiveActions", () => {
  it.effect("a commit of this process wakes a waiting subscriber at once", () =>
    withStore(
      Effect.gen(function* () {
        const live = yield* LiveActions
        const store = yield* ActionStore
        const c = yield* Effect.flatMap(Effect.service(Customers), (s) => s.create({}))
        const position = yield* live.head
        const waiter = yield* Effect.forkChild(live.waitForNew(position, 60_000))
        yield* settle
        assert.isUndefined(waiter.pollUnsafe(), "waits while nothing new exists")
        yield* store.record(viewed(c.id))
        const exit = yield* Fiber.await(waiter)
        assert.isTrue(Exit.isSuccess(exit))
        const events = yield* live.after(position, { customerId: c.id })
        assert.deepStrictEqual(
          events.map((e) => e.action.template),
          ["ProductViewed"],
        )
      }),
    ),
  )

  it.effect("without a commit here it waits for the next poll (another process's writes)", () =>
    withStore(
      Effect.gen(function* () {
        const live = yield* LiveActions
        const position = yield* live.head
        const waiter = yield* Effect.forkChild(live.waitForNew(position, 1_000))
        yield* settle
        assert.isUndefined(waiter.pollUnsafe())
        // A read is not a commit: the waiter keeps waiting.
        yield* Effect.flatMap(Effect.service(Customers), (s) => s.search("nobody"))
        yield* settle
        assert.isUndefined(waiter.pollUnsafe())
        // Nothing new for the whole wait: it gives up after maxWaitMs of polling (one poll at
        // a time, so each poll's query has run before the clock moves on).
        for (let polled = 0; polled < 900; polled += 100) {
          yield* TestClock.adjust("100 millis")
          yield* settle
        }
        assert.isUndefined(waiter.pollUnsafe(), "still waiting before maxWaitMs")
        yield* TestClock.adjust("100 millis")
        yield* settle
        const exit = yield* Fiber.await(waiter)
        assert.isTrue(Exit.isSuccess(exit))
      }),
    ),
  )
})
