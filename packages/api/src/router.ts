import { actionsRouter } from "./routers/actions"
import { campaignsRouter } from "./routers/campaigns"
import { notesRouter } from "./routers/notes"
import { ordersRouter } from "./routers/orders"
import { profilesRouter } from "./routers/profiles"
import { promoCodesRouter } from "./routers/promoCodes"
import { rewardsRouter } from "./routers/rewards"
import { tagsRouter } from "./routers/tags"
import { apiKeysRouter } from "./routers/apiKeys"
import { auditRouter } from "./routers/audit"
import { authRouter } from "./routers/auth"
import { brandsRouter } from "./routers/brands"
import { channelsRouter } from "./routers/channels"
import { customersRouter } from "./routers/customers"
import { erasureRouter } from "./routers/erasure"
import { exportsRouter } from "./routers/exports"
import { healthRouter } from "./routers/health"
import { liveRouter } from "./routers/live"
import { namesRouter } from "./routers/names"
import { rolesRouter } from "./routers/roles"
import { segmentsRouter } from "./routers/segments"
import { settingsRouter } from "./routers/settings"
import { staffRouter } from "./routers/staff"
import { statsRouter } from "./routers/stats"
import { templatesRouter } from "./routers/templates"
import { touchpointsRouter } from "./routers/touchpoints"
import { webhooksRouter } from "./routers/webhooks"
import { router } from "./trpc"
import { trackingRouter } from "./tracking/router"

// One router per audience; later issues add theirs next to these.
export const appRouter = router({
  // Producers: docs/producers.md.
  orders: ordersRouter,
  campaigns: campaignsRouter,
  promoCodes: promoCodesRouter,
  rewards: rewardsRouter,
  profiles: profilesRouter,
  notes: notesRouter,
  tags: tagsRouter,
  health: healthRouter,
  actions: actionsRouter,
  customers: customersRouter,
  templates: templatesRouter,
  touchpoints: touchpointsRouter,
  channels: channelsRouter,
  brands: brandsRouter,
  settings: settingsRouter,
  auth: authRouter,
  apiKeys: apiKeysRouter,
  staff: staffRouter,
  roles: rolesRouter,
  audit: auditRouter,
  // Data capabilities.
  erasure: erasureRouter,
  exports: exportsRouter,
  segments: segmentsRouter,
  stats: statsRouter,
  live: liveRouter,
  names: namesRouter,
  // Segment-compatible tracking API settings (docs/tracking.md).
  tracking: trackingRouter,
  // Signed HTTP deliveries of new actions to other teams' endpoints (docs/webhooks.md).
  webhooks: webhooksRouter,
})

export type AppRouter = typeof appRouter
