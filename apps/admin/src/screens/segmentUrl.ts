/**
 * A segment editor's state in the URL, readable and shareable:
 * `?op=Or&c=has.NoteAdded.500.60&c=not.NoteAdded.1.` — one `c` per condition
 * (has / not, template, at least N, last D days or empty for any time), plus `saved=<id>`
 * when it is a saved segment.
 */

export interface Condition {
  readonly has: boolean
  readonly template: string
  readonly minCount: string
  readonly lastDays: string
}

export interface EditorState {
  readonly op: "And" | "Or"
  readonly conditions: ReadonlyArray<Condition>
}

export const blankCondition = (template: string): Condition => ({
  has: true,
  template,
  minCount: "1",
  lastDays: "30",
})

export const writeEditor = (params: URLSearchParams, state: EditorState): URLSearchParams => {
  const out = new URLSearchParams(params)
  out.delete("c")
  out.delete("op")
  if (state.conditions.length > 1) out.set("op", state.op)
  for (const c of state.conditions)
    out.append("c", [c.has ? "has" : "not", c.template, c.minCount, c.lastDays].join("."))
  return out
}

export const readEditor = (params: URLSearchParams): EditorState | undefined => {
  const raw = params.getAll("c")
  if (raw.length === 0) return undefined
  const conditions: Condition[] = []
  for (const r of raw) {
    const [has, template, minCount, lastDays] = r.split(".")
    if ((has !== "has" && has !== "not") || !template) return undefined
    conditions.push({
      has: has === "has",
      template,
      minCount: minCount ?? "1",
      lastDays: lastDays ?? "",
    })
  }
  return { op: params.get("op") === "Or" ? "Or" : "And", conditions }
}

/** "once", "twice", "3 times". */
export const timesWord = (n: number): string =>
  n === 1 ? "once" : n === 2 ? "twice" : `${n} times`

/** The condition as a sentence: "has not done Note added at least once in the last 60 days". */
export const describeCondition = (
  c: Condition,
  templateName: (t: string) => string,
  verb: "has" | "have" = "has",
): string => {
  const n = Number(c.minCount)
  const count = Number.isInteger(n) && n >= 1 ? n : 1
  const days = c.lastDays.trim()
  const when = days === "" ? "at any time" : `in the last ${days} day${days === "1" ? "" : "s"}`
  return `${verb} ${c.has ? "done" : "not done"} ${templateName(c.template)} at least ${timesWord(count)} ${when}`
}

type DomainSegment =
  | {
      readonly _tag: "HasActions"
      readonly templates: ReadonlyArray<string>
      readonly minCount?: number
      readonly window?: { readonly lastDays?: number; readonly from?: number; readonly to?: number }
    }
  | { readonly _tag: "Not"; readonly of: DomainSegment }
  | { readonly _tag: "And" | "Or"; readonly of: ReadonlyArray<DomainSegment> }

const fromLeaf = (s: DomainSegment, has: boolean): Condition | undefined => {
  if (s._tag === "Not") return fromLeaf(s.of, !has)
  if (s._tag !== "HasActions" || s.templates.length !== 1) return undefined
  if (s.window && s.window.lastDays === undefined) return undefined
  return {
    has,
    template: s.templates[0]!,
    minCount: String(s.minCount ?? 1),
    lastDays: s.window?.lastDays === undefined ? "" : String(s.window.lastDays),
  }
}

/** A stored definition back in the editor; undefined when the editor cannot show it. */
export const fromSegment = (s: DomainSegment): EditorState | undefined => {
  if (s._tag === "And" || s._tag === "Or") {
    const conditions = s.of.map((x) => fromLeaf(x, true))
    if (conditions.some((c) => c === undefined)) return undefined
    return { op: s._tag, conditions: conditions as Condition[] }
  }
  const one = fromLeaf(s, true)
  return one ? { op: "And", conditions: [one] } : undefined
}
