import { Layer } from "effect"
import type { ApiServices } from "@actionlog/api"
import {
  AuthLayer,
  Database,
  filePathOf,
  isRemoteUrl,
  servicesLayer,
  WebhooksConfig,
  webhooksConfigFromEnv,
  type WebhooksConfigShape,
} from "@actionlog/store"

export type AppServices = ApiServices

/** Every service the API needs, over one database (opened and migrated when built). */
export const makeAppLayer = (config: {
  readonly url: string
  readonly authToken?: string | undefined
  /** Overrides of the webhook settings read from the environment (tests). */
  readonly webhooks?: Partial<WebhooksConfigShape> | undefined
}): Layer.Layer<AppServices, unknown> => {
  // The webhook secrets' key: ACTIONLOG_WEBHOOK_KEY, else a key file next to a local database
  // (docs/webhooks.md); a remote database needs the variable.
  const webhooks: WebhooksConfigShape = {
    ...webhooksConfigFromEnv(),
    keyFile: isRemoteUrl(config.url) ? undefined : `${filePathOf(config.url)}.webhook-key`,
    ...config.webhooks,
  }
  return Layer.mergeAll(servicesLayer, AuthLayer).pipe(
    Layer.provideMerge(Database.layer({ url: config.url, authToken: config.authToken })),
    Layer.provide(Layer.succeed(WebhooksConfig, webhooks)),
  )
}
