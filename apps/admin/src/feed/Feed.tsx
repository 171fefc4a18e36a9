/** A filterable feed with its action drawer: the customer's Activity tab and the Actions page. */
import { useCallback } from "react"
import { useRegistry } from "../registry"
import { useSearchParams } from "../router"
import { ErrorBox } from "../ui/common"
import { ActionDrawer } from "./ActionDetail"
import { FeedFilters, useFilter } from "./FeedFilters"
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
  const close = useCallback(() => {
    const next = new URLSearchParams(params)
    next.delete("action")
    setParams(next)
  }, [params, setParams])

  return (
    <div className="feed-layout">
      <FeedFilters registry={registry} filter={filter} onChange={setFilter} />
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
