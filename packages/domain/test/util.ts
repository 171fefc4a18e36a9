import { Result } from "effect"

/** The failure of a Result, or a thrown error when it succeeded (keeps expects unconditional). */
export const failureOf = <A, E>(r: Result.Result<A, E>): E => {
  if (Result.isSuccess(r)) throw new Error(`expected a failure, got ${JSON.stringify(r.success)}`)
  return r.failure
}

/** The success of a Result, or a thrown error carrying the failure. */
export const successOf = <A, E>(r: Result.Result<A, E>): A => {
  if (Result.isFailure(r)) throw new Error(`expected a success, got ${String(r.failure)}`)
  return r.success
}
