import { Feed } from "../feed/Feed"
import { useFilter } from "../feed/FeedFilters"
import { useRegistry } from "../registry"
import { PageHeader } from "../ui/common"

export const ActionsPage = () => {
  const [filter] = useFilter()
  const registry = useRegistry()
  const only = filter.templates.length === 1 ? registry.template(filter.templates[0]!) : undefined
  return (
    <div className="page" style={{ maxWidth: "none" }}>
      <PageHeader
        title={only ? `Actions · ${only.displayName}` : "Actions"}
        sub={
          only
            ? "Every action of this template, across all customers."
            : "Every customer's actions, newest first. Filters are kept in the URL — share the link."
        }
      />
      <Feed showCustomer />
    </div>
  )
}
