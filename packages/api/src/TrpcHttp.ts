/**
 * tRPC over Node's HTTP server, with a direct path for the common case.
 *
 * tRPC 11's standalone adapter turns every Node request into a Fetch `Request` (undici headers,
 * an AbortController, a web stream body) and writes the answer back through a web stream: about
 * half a millisecond of a trivial call on this hardware, more than our own layers cost. Plain
 * calls — a GET of queries (input in the URL) or a POST of mutations with a JSON body, one
 * procedure or a batch, no streaming `trpc-accept`, no connection params — are answered here by
 * calling the procedures directly and writing the same JSON envelope, status code, `vary` header
 * and response-meta headers the adapter writes (tRPC's own `getErrorShape`, `getHTTPStatusCode`,
 * `transformTRPCResponse`), with input errors raised as tRPC's own parser raises them. Everything
 * else (subscriptions, HEAD, other content types, unknown paths, a procedure called with the
 * wrong method, streaming batches) goes to tRPC's adapter unchanged.
 */
/* oxlint-disable no-underscore-dangle -- tRPC keeps a router's procedures and config in `_def` */
import type { IncomingMessage, ServerResponse } from "node:http"
import { TRPCError, type AnyRouter } from "@trpc/server"
import { createHTTPHandler } from "@trpc/server/adapters/standalone"
import {
  getErrorShape,
  getHTTPStatusCode,
  getTRPCErrorFromUnknown,
  transformTRPCResponse,
  type AnyProcedure,
  type TRPCRequestInfo,
} from "@trpc/server/unstable-core-do-not-import"

type HandlerOptions<TRouter extends AnyRouter> = Parameters<typeof createHTTPHandler<TRouter>>[0]

type CallType = "query" | "mutation"

interface Route {
  readonly isBatchCall: boolean
  readonly type: CallType
  readonly paths: ReadonlyArray<string>
  readonly procedures: ReadonlyArray<AnyProcedure>
  readonly url: URL
}

/** Where a request's input comes from: the `input` query parameter or the JSON body. */
type InputSource =
  | { readonly kind: "none" }
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "tooLarge" }

/** The procedures of a router by dotted path, as tRPC resolves them. */
const proceduresOf = (router: AnyRouter): Record<string, AnyProcedure | undefined> =>
  router._def.procedures as Record<string, AnyProcedure | undefined>

const isJson = (contentType: string | undefined) =>
  contentType?.split(";", 1)[0]?.trim().toLowerCase() === "application/json"

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The request body as text, or `tooLarge` past `limit` bytes (then it stops reading). */
const readBody = (req: IncomingMessage, limit: number | undefined): Promise<InputSource> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (limit !== undefined && size > limit) {
        req.off("data", onData)
        req.off("end", onEnd)
        resolve({ kind: "tooLarge" })
        return
      }
      chunks.push(chunk)
    }
    const onEnd = () => resolve({ kind: "text", text: Buffer.concat(chunks).toString("utf8") })
    req.on("data", onData)
    req.once("end", onEnd)
    req.once("error", reject)
  })

/** A GET's input: the `input` query parameter (absent or empty: no input). */
const inputFromQuery = (url: URL): InputSource => {
  const text = url.searchParams.get("input")
  return text === null || text === "" ? { kind: "none" } : { kind: "text", text }
}

export const makeTrpcHttpHandler = <TRouter extends AnyRouter>(
  options: HandlerOptions<TRouter> & { readonly basePath: string },
) => {
  const adapter = createHTTPHandler(options)
  const { router, basePath } = options
  const config = router._def._config
  const procedures = proceduresOf(router)

  /** The calls of a plain query or mutation request, or undefined for tRPC's adapter. */
  const route = (req: IncomingMessage): Route | undefined => {
    const type: CallType | undefined =
      req.method === "GET"
        ? "query"
        : req.method === "POST" && isJson(req.headers["content-type"])
          ? "mutation"
          : undefined
    if (type === undefined || req.headers["trpc-accept"] !== undefined) return undefined
    const raw = req.url ?? ""
    if (!raw.startsWith(basePath)) return undefined
    const q = raw.indexOf("?")
    const path = raw.slice(basePath.length, q === -1 ? undefined : q)
    // Percent-encoded paths and connection params are rare: the adapter decodes them.
    if (path === "" || path.includes("%")) return undefined
    // Built as the adapter builds it, so a Host it refuses is refused the same way (by it).
    let url: URL
    try {
      url = new URL(raw, `http://${req.headers.host ?? "localhost"}`)
    } catch {
      return undefined
    }
    if (url.searchParams.has("connectionParams")) return undefined
    const isBatchCall = url.searchParams.get("batch") === "1"
    const paths = isBatchCall ? path.split(",") : [path]
    const found: Array<AnyProcedure> = []
    for (const p of paths) {
      const procedure = procedures[p]
      if (procedure === undefined || procedure._def.type !== type) return undefined
      found.push(procedure)
    }
    return { isBatchCall, type, paths, procedures: found, url }
  }

  /** Inputs by batch index, parsed once on first use, failing as tRPC's own parser fails. */
  const inputsOf = (source: InputSource, isBatchCall: boolean) => {
    let parsed: { readonly ok: true; readonly value: Record<number, unknown> } | undefined
    let failure: TRPCError | undefined
    const parse = (): Record<number, unknown> => {
      if (source.kind === "tooLarge") throw new TRPCError({ code: "PAYLOAD_TOO_LARGE" })
      let inputs: unknown
      if (source.kind === "text") {
        try {
          inputs = JSON.parse(source.text)
        } catch (cause) {
          throw new TRPCError({
            code: "BAD_REQUEST",
            message: cause instanceof Error ? cause.message : "Invalid input",
            cause,
          })
        }
      }
      const out: Record<number, unknown> = {}
      if (inputs === undefined) return out
      if (!isBatchCall) {
        out[0] = config.transformer.input.deserialize(inputs)
        return out
      }
      if (!isObject(inputs))
        throw new TRPCError({
          code: "BAD_REQUEST",
          message: '"input" needs to be an object when doing a batch call',
        })
      for (const [key, value] of Object.entries(inputs)) {
        const index = Number(key)
        if (Number.isInteger(index) && value !== undefined)
          out[index] = config.transformer.input.deserialize(value)
      }
      return out
    }
    return {
      read: (index: number): unknown => {
        if (failure !== undefined) throw failure
        if (parsed === undefined) {
          try {
            parsed = { ok: true, value: parse() }
          } catch (cause) {
            failure = getTRPCErrorFromUnknown(cause)
            throw failure
          }
        }
        return parsed.value[index]
      },
      result: (index: number): unknown => parsed?.value[index],
    }
  }

  const answer = async (
    routed: Route,
    source: InputSource,
    req: IncomingMessage,
    res: ServerResponse,
  ) => {
    const { type, paths } = routed
    const inputs = inputsOf(source, routed.isBatchCall)
    const info: TRPCRequestInfo = {
      isBatchCall: routed.isBatchCall,
      accept: null,
      type,
      connectionParams: null,
      signal: new AbortController().signal,
      url: routed.url,
      calls: routed.procedures.map((procedure, batchIndex) => ({
        batchIndex,
        path: paths[batchIndex]!,
        procedure,
        getRawInput: async () => inputs.read(batchIndex),
        result: () => inputs.result(batchIndex),
      })),
    }
    let ctx: unknown
    let contextError: TRPCError | undefined
    try {
      ctx = await options.createContext?.({ req, res, info } as never)
    } catch (cause) {
      contextError = getTRPCErrorFromUnknown(cause)
    }
    const errors: Array<TRPCError> = []
    const results = await Promise.all(
      routed.procedures.map(async (procedure, batchIndex) => {
        const path = paths[batchIndex]!
        try {
          if (contextError !== undefined) throw contextError
          const data: unknown = await procedure({
            path,
            getRawInput: async () => inputs.read(batchIndex),
            ctx,
            type,
            signal: undefined,
            batchIndex,
          })
          return { result: { data } }
        } catch (cause) {
          const error = getTRPCErrorFromUnknown(cause)
          const input = inputs.result(batchIndex)
          errors.push(error)
          options.onError?.({ error, path, input, ctx: ctx as never, type, req: req as never })
          return { error: getErrorShape({ config, ctx, error, input, path, type }) }
        }
      }),
    )
    const untransformed = routed.isBatchCall ? results : results[0]!
    let status = getHTTPStatusCode(untransformed as never)
    const headers: Record<string, string | Array<string>> = {
      vary: "trpc-accept, accept",
      "content-type": "application/json",
    }
    const meta = options.responseMeta?.({
      ctx: ctx as never,
      info,
      paths,
      data: results as never,
      errors,
      eagerGeneration: false,
      type,
    })
    if (meta?.headers !== undefined && !(meta.headers instanceof Headers)) {
      for (const [key, value] of Object.entries(meta.headers)) {
        if (typeof value === "string" || Array.isArray(value)) headers[key] = value
      }
    }
    if (meta?.status !== undefined) status = meta.status
    const body = JSON.stringify(transformTRPCResponse(config, untransformed as never))
    // Headers set by the procedures (e.g. Set-Cookie) are already on `res`.
    for (const [key, value] of Object.entries(headers)) res.setHeader(key, value)
    res.setHeader("content-length", Buffer.byteLength(body))
    res.statusCode = status
    res.end(body)
  }

  return (req: IncomingMessage, res: ServerResponse): void => {
    const routed = route(req)
    if (routed === undefined) {
      adapter(req, res)
      return
    }
    const source =
      routed.type === "query"
        ? Promise.resolve(inputFromQuery(routed.url))
        : readBody(req, options.maxBodySize)
    source.then(
      (input) =>
        answer(routed, input, req, res).catch((cause: unknown) => {
          console.error("[actionlog] tRPC call failed outside its procedures:", cause)
          if (!res.headersSent) res.statusCode = 500
          res.end()
        }),
      // The client went away while sending its body: nobody is left to answer.
      () => res.destroy(),
    )
  }
}
