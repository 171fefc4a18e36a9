/**
 * Where a webhook may point, and the one HTTP attempt. Private, loopback, link-local and other
 * non-public addresses are refused (unless allowed for tests and closed networks) both for IP
 * literals and for every address a host name resolves to — at delivery time too, through the
 * socket's own lookup, so a name cannot be re-pointed at an internal address after it was
 * checked. Redirects are not followed (a 3xx is a failed attempt), the response body is read
 * up to a small limit, and each attempt has a timeout.
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns"
import { request as httpRequest } from "node:http"
import { request as httpsRequest } from "node:https"
import { BlockList, isIP, type LookupFunction } from "node:net"

const blocked = new BlockList()
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  blocked.addSubnet(net, bits, "ipv4")
}
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["64:ff9b::", 96],
] as const) {
  blocked.addSubnet(net, bits, "ipv6")
}

/** Whether an IP address is not a public unicast address. */
export const isPrivateAddress = (address: string): boolean => {
  const family = isIP(address)
  if (family === 4) return blocked.check(address, "ipv4")
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
    if (mapped !== null) return blocked.check(mapped[1]!, "ipv4")
    return blocked.check(address, "ipv6")
  }
  return true
}

/** A reason the URL cannot be a target, or undefined when its form is acceptable. */
export const urlProblem = (raw: string, allowPrivate: boolean): string | undefined => {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return "not a valid URL"
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return "only http and https are allowed"
  if (url.username !== "" || url.password !== "") return "credentials in the URL are not allowed"
  if (raw.length > 2000) return "longer than 2000 characters"
  const host = url.hostname.replace(/^\[|\]$/g, "")
  if (!allowPrivate) {
    if (isIP(host) !== 0 && isPrivateAddress(host)) return "private or loopback address"
    if (host === "localhost" || host.endsWith(".localhost")) return "private or loopback address"
  }
  return undefined
}

/** The addresses a host resolves to, refused when any is private (checked at create time). */
export const resolveProblem = (raw: string, allowPrivate: boolean): Promise<string | undefined> => {
  const form = urlProblem(raw, allowPrivate)
  if (form !== undefined || allowPrivate) return Promise.resolve(form)
  const host = new URL(raw).hostname.replace(/^\[|\]$/g, "")
  if (isIP(host) !== 0) return Promise.resolve(undefined)
  return new Promise((resolve) =>
    dnsLookup(host, { all: true }, (error, addresses: Array<LookupAddress>) => {
      if (error !== null) return resolve(`host ${host} does not resolve`)
      resolve(
        addresses.some((a) => isPrivateAddress(a.address))
          ? "resolves to a private or loopback address"
          : undefined,
      )
    }),
  )
}

const guardedLookup: LookupFunction = (hostname, options, callback) =>
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: Array<LookupAddress>) => {
    if (error !== null) return callback(error, "", 0)
    const bad = addresses.find((a) => isPrivateAddress(a.address))
    if (bad !== undefined) {
      return callback(
        Object.assign(new Error(`${hostname} resolves to a private address`), { code: "EPRIVATE" }),
        "",
        0,
      )
    }
    if (options.all === true)
      return (callback as unknown as (e: null, a: Array<LookupAddress>) => void)(null, addresses)
    const first = addresses[0]!
    callback(null, first.address, first.family)
  })

export interface AttemptOutcome {
  readonly ok: boolean
  readonly status: number | null
  readonly latencyMs: number
  readonly error: string | null
  /** The start of the response body (at most `RESPONSE_BODY_LIMIT` bytes). */
  readonly body: string
}

export interface PostOptions {
  readonly url: string
  readonly headers: Record<string, string>
  readonly body: string
  readonly timeoutMs: number
  readonly allowPrivate: boolean
  readonly bodyLimit: number
  /** Aborts the request (the worker is being stopped). */
  readonly signal?: AbortSignal | undefined
}

/** One POST. Never rejects: every failure is an outcome with `ok: false`. */
export const post = (options: PostOptions): Promise<AttemptOutcome> => {
  const started = performance.now()
  const elapsed = () => Math.round(performance.now() - started)
  return new Promise((resolve) => {
    let settled = false
    const done = (outcome: Omit<AttemptOutcome, "latencyMs">) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve({ ...outcome, latencyMs: elapsed() })
    }
    const problem = urlProblem(options.url, options.allowPrivate)
    if (problem !== undefined) {
      return done({ ok: false, status: null, error: `target refused: ${problem}`, body: "" })
    }
    const url = new URL(options.url)
    const send = url.protocol === "https:" ? httpsRequest : httpRequest
    const req = send(
      url,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(options.body)),
          "user-agent": "actionlog-webhooks/1",
          ...options.headers,
        },
        agent: false,
        ...(options.allowPrivate ? {} : { lookup: guardedLookup }),
      },
      (res) => {
        const status = res.statusCode ?? 0
        const chunks: Array<Buffer> = []
        let size = 0
        const finish = () => {
          const body = Buffer.concat(chunks).subarray(0, options.bodyLimit).toString("utf8")
          const ok = status >= 200 && status < 300
          done({ ok, status, error: ok ? null : `HTTP ${status}`, body })
          res.destroy()
        }
        res.on("data", (chunk: Buffer) => {
          if (size < options.bodyLimit) chunks.push(chunk)
          size += chunk.length
          if (size >= options.bodyLimit) finish()
        })
        res.on("end", finish)
        res.on("error", finish)
      },
    )
    const timer = setTimeout(() => {
      req.destroy()
      done({ ok: false, status: null, error: `timed out after ${options.timeoutMs} ms`, body: "" })
    }, options.timeoutMs)
    req.on("error", (error: NodeJS.ErrnoException) =>
      done({
        ok: false,
        status: null,
        error: error.code === undefined || error.code === "EPRIVATE" ? error.message : error.code,
        body: "",
      }),
    )
    options.signal?.addEventListener("abort", () => {
      req.destroy()
      done({ ok: false, status: null, error: "aborted", body: "" })
    })
    req.end(options.body)
  })
}
