import { useMutation, useQueryClient } from "@tanstack/react-query"
import { useState } from "react"
import { useTRPC } from "../trpc"
import { ErrorBox } from "../ui/common"

/** Minutes to wait when the server throttles sign-in (`TooManySignInAttempts`), else undefined. */
const throttledMinutes = (error: unknown): number | undefined => {
  const data = (error as { data?: { tag?: unknown; details?: { retryAfterSeconds?: unknown } } })
    .data
  if (data?.tag !== "TooManySignInAttempts") return undefined
  const seconds = data.details?.retryAfterSeconds
  return typeof seconds === "number" ? Math.max(1, Math.ceil(seconds / 60)) : 15
}

/** The server's message, except for throttling, which says how long to wait. */
const SignInError = ({ error }: { readonly error: unknown }) => {
  const minutes = throttledMinutes(error)
  if (minutes === undefined) return <ErrorBox error={error} />
  return (
    <div className="alert alert-error" role="alert" data-testid="signin-throttled">
      Too many failed attempts — try again in {minutes} {minutes === 1 ? "minute" : "minutes"}
    </div>
  )
}

export const SignInPage = () => {
  const trpc = useTRPC()
  const queryClient = useQueryClient()
  const [email, setEmail] = useState("")
  const [password, setPassword] = useState("")
  const signIn = useMutation(
    trpc.auth.signIn.mutationOptions({
      onSuccess: (me) => {
        // Start from a clean cache: what a user may see depends on who they are.
        const meKey = JSON.stringify(trpc.auth.me.queryKey())
        queryClient.removeQueries({ predicate: (q) => JSON.stringify(q.queryKey) !== meKey })
        queryClient.setQueryData(trpc.auth.me.queryKey(), me)
      },
    }),
  )
  return (
    <div className="signin">
      <div className="card">
        <form
          className="card-body"
          onSubmit={(e) => {
            e.preventDefault()
            signIn.mutate({ email, password })
          }}
        >
          <div className="logo" style={{ padding: 0 }}>
            <span className="logo-mark" aria-hidden>
              ≡
            </span>
            actionlog
          </div>
          <div>
            <h1 style={{ fontSize: "var(--text-xl)" }}>Sign in</h1>
            <p className="muted small">Staff access to the customer action log.</p>
          </div>
          {signIn.error ? <SignInError error={signIn.error} /> : null}
          <div className="field">
            <label htmlFor="signin-email">Email</label>
            <input
              id="signin-email"
              className="input input-lg"
              type="email"
              autoComplete="username"
              required
              autoFocus
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="signin-password">Password</label>
            <input
              id="signin-password"
              className="input input-lg"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
          <button type="submit" className="btn btn-primary input-lg" disabled={signIn.isPending}>
            {signIn.isPending ? "Signing in…" : "Sign in"}
          </button>
        </form>
      </div>
    </div>
  )
}

export const SignOutButton = () => {
  const trpc = useTRPC()
  const signOut = useMutation(
    trpc.auth.signOut.mutationOptions({
      // A full reload drops every cached answer of this user.
      onSettled: () => window.location.assign("/"),
    }),
  )
  return (
    <button
      type="button"
      className="btn btn-sm"
      onClick={() => signOut.mutate()}
      disabled={signOut.isPending}
    >
      Sign out
    </button>
  )
}
