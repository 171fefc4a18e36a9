/** A filterable feed with its action drawer: the customer's Activity tab and the Actions page. */
import { useCallback, useState } from "react"
import { useRegistry } from "../registry"
import { useSearchParams } from "../router"
import { ErrorBox } from "../ui/common"
import { ActionDrawer } from "./ActionDetail"
import { FeedFilters, useFilter } from "./FeedFilters"
import { filterIsEmpty } from "./filterUrl"
import { FeedList } from "./FeedList"

export const Feed = ({
  customerId,
  showCustomer = false,
}: {
  readonly customerId?: string
  readonly showCustomer?: boolean
}) => {
  const registry = useRegistry()
  const [filter, setFilter] = useFilter()
  const [params, setParams] = useSearchParams()
  const openId = params.get("action")
  // On a phone the filters are a drawer over the feed, opened by the "Filters" button.
  const [filtersOpen, setFiltersOpen] = useState(false)
  const close = useCallback(() => {
    const next = new URLSearchParams(params)
    next.delete("action")
    setParams(next)
    // Back to the row the drawer was opened from (keyboard users keep their place).
    const id = openId
    let tries = 0
    const refocus = () => {
      const row = id
        ? document.querySelector<HTMLElement>(
            `[data-testid=action-row][data-action-id="${CSS.escape(id)}"]`,
          )
        : null
      if (row) row.focus()
      else if (++tries < 20) requestAnimationFrame(refocus)
    }
    requestAnimationFrame(refocus)
  }, [params, setParams, openId])

  return (
    <div className="feed-layout">
      <div className="filters-toggle">
        <button
          type="button"
          className="btn"
          aria-expanded={filtersOpen}
          aria-controls="feed-filters"
          onClick={() => setFiltersOpen(true)}
          data-testid="open-filters"
        >
          Filters{filterIsEmpty(filter) ? "" : " (on)"}
        </button>
      </div>
      <FeedFilters
        registry={registry}
        filter={filter}
        onChange={setFilter}
        open={filtersOpen}
        onClose={() => setFiltersOpen(false)}
      />
      <div style={{ minWidth: 0, display: "flex", flexDirection: "column", gap: 12 }}>
        {registry.error ? (
          <ErrorBox error={registry.error} title="Could not load the registries" />
        ) : null}
        <FeedList
          {...(customerId !== undefined ? { customerId } : {})}
          filter={filter}
          showCustomer={showCustomer}
        />
      </div>
      {openId ? <ActionDrawer id={openId} onClose={close} /> : null}
    </div>
  )
}
