/** The filter panel beside a feed; every change is written to the URL (replace, not push). */
import { useState } from "react"
import { Template } from "@actionlog/domain"
import { fromLocalInput, toLocalInput } from "../format"
import { channelTree, flattenTree, type Registry } from "../registry"
import { useSearchParams } from "../router"
import { emptyFilter, type FilterState, filterIsEmpty, parseFilter, writeFilter } from "./filterUrl"

export const useFilter = (): readonly [FilterState, (next: FilterState) => void] => {
  const [params, setParams] = useSearchParams()
  const filter = parseFilter(params)
  const set = (next: FilterState) => {
    const out = writeFilter(params, next)
    // A new filter closes the open action: it may not be in the new result.
    out.delete("action")
    setParams(out)
  }
  return [filter, set] as const
}

const Chips = ({
  values,
  label,
  onRemove,
}: {
  readonly values: ReadonlyArray<string>
  readonly label: (v: string) => string
  readonly onRemove: (v: string) => void
}) =>
  values.length === 0 ? null : (
    <div className="chip-list">
      {values.map((v) => (
        <span className="chip" key={v}>
          {label(v)}
          <button type="button" aria-label={`Remove ${label(v)}`} onClick={() => onRemove(v)}>
            ×
          </button>
        </span>
      ))}
    </div>
  )

const AddSelect = ({
  label,
  placeholder,
  children,
  onAdd,
}: {
  readonly label: string
  readonly placeholder: string
  readonly children: React.ReactNode
  readonly onAdd: (v: string) => void
}) => (
  <select
    className="select"
    aria-label={label}
    value=""
    onChange={(e) => {
      if (e.target.value) onAdd(e.target.value)
    }}
  >
    <option value="">{placeholder}</option>
    {children}
  </select>
)

const add = (list: ReadonlyArray<string>, v: string) => (list.includes(v) ? list : [...list, v])
const remove = (list: ReadonlyArray<string>, v: string) => list.filter((x) => x !== v)

const quickRanges: ReadonlyArray<{ readonly label: string; readonly hours: number }> = [
  { label: "24 h", hours: 24 },
  { label: "7 days", hours: 24 * 7 },
  { label: "30 days", hours: 24 * 30 },
]

export const FeedFilters = ({
  registry,
  filter,
  onChange,
  open = false,
  onClose,
}: {
  readonly registry: Registry
  readonly filter: FilterState
  readonly onChange: (f: FilterState) => void
  /** Phone layout: whether the filter drawer is shown. */
  readonly open?: boolean
  readonly onClose?: () => void
}) => {
  const [copied, setCopied] = useState(false)
  const tree = flattenTree(channelTree(registry.channels))
  const allTags = [...new Set(registry.templates.flatMap((t) => t.tags))].sort()
  const set = (patch: Partial<FilterState>) => onChange({ ...filter, ...patch })
  const templatesByCategory = Template.categories.map(
    (c) =>
      [
        c,
        registry.templates
          .filter((t) => t.category === c)
          .sort((a, b) => a.displayName.localeCompare(b.displayName)),
      ] as const,
  )

  return (
    <aside
      className={`card filters${open ? " filters-open" : ""}`}
      aria-label="Filters"
      data-testid="filters"
      id="feed-filters"
    >
      <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center" }}>
        <h3>Filters</h3>
        {!filterIsEmpty(filter) ? (
          <button type="button" className="link-btn small" onClick={() => onChange(emptyFilter)}>
            Clear all
          </button>
        ) : null}
        {onClose ? (
          <button type="button" className="btn btn-sm btn-primary filters-close" onClick={onClose}>
            Show actions
          </button>
        ) : null}
      </div>

      <div className="field">
        <span className="field-label">Category</span>
        <div className="toolbar" role="radiogroup" aria-label="Category">
          {([undefined, ...Template.categories] as const).map((c) => (
            <button
              key={c ?? "all"}
              type="button"
              role="radio"
              aria-checked={filter.category === c}
              className={`btn btn-sm ${filter.category === c ? "btn-primary" : ""}`}
              onClick={() => set({ category: c })}
            >
              {c === undefined ? "All" : c === "personal" ? "Personal" : "System"}
            </button>
          ))}
        </div>
      </div>

      <div className="field">
        <span className="field-label">Templates</span>
        <Chips
          values={filter.templates}
          label={(v) => registry.template(v)?.displayName ?? v}
          onRemove={(v) => set({ templates: remove(filter.templates, v) })}
        />
        <AddSelect
          label="Add template filter"
          placeholder="Add a template…"
          onAdd={(v) => set({ templates: add(filter.templates, v) })}
        >
          {templatesByCategory.map(([c, list]) => (
            <optgroup key={c} label={c === "personal" ? "Personal" : "System"}>
              {list.map((t) => (
                <option key={t.systemName} value={t.systemName}>
                  {t.displayName}
                </option>
              ))}
            </optgroup>
          ))}
        </AddSelect>
      </div>

      {allTags.length > 0 ? (
        <div className="field">
          <span className="field-label">Template tags</span>
          <Chips
            values={filter.tags}
            label={(v) => `#${v}`}
            onRemove={(v) => set({ tags: remove(filter.tags, v) })}
          />
          <AddSelect
            label="Add tag filter"
            placeholder="Add a tag…"
            onAdd={(v) => set({ tags: add(filter.tags, v) })}
          >
            {allTags.map((t) => (
              <option key={t} value={t}>
                {t} ({registry.templates.filter((x) => x.tags.includes(t)).length} templates)
              </option>
            ))}
          </AddSelect>
          <span className="hint">Every template with the tag, e.g. all order actions.</span>
        </div>
      ) : null}

      <div className="field">
        <span className="field-label">Channels</span>
        <Chips
          values={filter.channels}
          label={(v) => registry.channel(v)?.name ?? v}
          onRemove={(v) => set({ channels: remove(filter.channels, v) })}
        />
        <AddSelect
          label="Add channel filter"
          placeholder="Add a channel…"
          onAdd={(v) => set({ channels: add(filter.channels, v) })}
        >
          {tree.map((n) => (
            <option key={n.channel.id} value={n.channel.id}>
              {"\u00a0\u00a0".repeat(n.depth)}
              {n.channel.name}
            </option>
          ))}
        </AddSelect>
        <span className="hint">Includes sub-channels.</span>
      </div>

      <div className="field">
        <span className="field-label">Touchpoints</span>
        <Chips
          values={filter.touchpoints}
          label={(v) => registry.touchpoint(v)?.name ?? v}
          onRemove={(v) => set({ touchpoints: remove(filter.touchpoints, v) })}
        />
        <AddSelect
          label="Add touchpoint filter"
          placeholder="Add a touchpoint…"
          onAdd={(v) => set({ touchpoints: add(filter.touchpoints, v) })}
        >
          {registry.touchpoints.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
              {t.deleted ? " (deleted)" : ""}
            </option>
          ))}
        </AddSelect>
      </div>

      {registry.brands.length > 0 ? (
        <div className="field">
          <span className="field-label">Brands</span>
          <Chips
            values={filter.brands}
            label={(v) => registry.brand(v)?.name ?? v}
            onRemove={(v) => set({ brands: remove(filter.brands, v) })}
          />
          <AddSelect
            label="Add brand filter"
            placeholder="Add a brand…"
            onAdd={(v) => set({ brands: add(filter.brands, v) })}
          >
            {registry.brands.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </AddSelect>
        </div>
      ) : null}

      <div className="field">
        <span className="field-label">Event time</span>
        <div className="toolbar">
          {quickRanges.map((r) => (
            <button
              key={r.label}
              type="button"
              className="btn btn-sm"
              onClick={() =>
                set({
                  occurredFrom: new Date(Date.now() - r.hours * 3_600_000).toISOString(),
                  occurredTo: undefined,
                })
              }
            >
              {r.label}
            </button>
          ))}
        </div>
        <RangeInputs
          label="Event time"
          from={filter.occurredFrom}
          to={filter.occurredTo}
          onChange={(from, to) => set({ occurredFrom: from, occurredTo: to })}
        />
      </div>

      <details open={Boolean(filter.recordedFrom || filter.recordedTo)}>
        <summary className="field-label" style={{ cursor: "pointer" }}>
          Recorded time
        </summary>
        <div style={{ marginTop: 6 }}>
          <RangeInputs
            label="Recorded time"
            from={filter.recordedFrom}
            to={filter.recordedTo}
            onChange={(from, to) => set({ recordedFrom: from, recordedTo: to })}
          />
        </div>
      </details>

      <button
        type="button"
        className="btn btn-sm"
        onClick={() => {
          void navigator.clipboard?.writeText(window.location.href).then(() => {
            setCopied(true)
            setTimeout(() => setCopied(false), 1500)
          })
        }}
      >
        {copied ? "Link copied" : "Copy link to this view"}
      </button>
    </aside>
  )
}

const RangeInputs = ({
  label,
  from,
  to,
  onChange,
}: {
  readonly label: string
  readonly from: string | undefined
  readonly to: string | undefined
  readonly onChange: (from: string | undefined, to: string | undefined) => void
}) => (
  <div className="range-inputs">
    <label className="range-label">
      <span>from</span>
      <input
        className="input"
        type="datetime-local"
        aria-label={`${label} from`}
        value={from ? toLocalInput(from) : ""}
        onChange={(e) => onChange(fromLocalInput(e.target.value), to)}
      />
    </label>
    <label className="range-label">
      <span>until</span>
      <input
        className="input"
        type="datetime-local"
        aria-label={`${label} until`}
        value={to ? toLocalInput(to) : ""}
        onChange={(e) => onChange(from, fromLocalInput(e.target.value))}
      />
    </label>
  </div>
)

/** Re-exported so screens need one import for a filterable feed. */
export { parseFilter }
