import { ActionDetail } from "../feed/ActionDetail"
import { Link } from "../router"
import { PageHeader } from "../ui/common"

export const ActionDetailPage = ({ id }: { readonly id: string }) => (
  <div className="page" style={{ maxWidth: 760 }}>
    <PageHeader title="Action" crumbs={<Link to="/actions">Actions</Link>} />
    <div className="card">
      <div className="card-body">
        <ActionDetail id={id} />
      </div>
    </div>
  </div>
)
