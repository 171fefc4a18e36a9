import { Layer } from "effect"
import type { ApiServices } from "@actionlog/api"
import { AuthLayer, Database, servicesLayer } from "@actionlog/store"

export type AppServices = ApiServices

/** Every service the API needs, over one database (opened and migrated when built). */
export const makeAppLayer = (config: {
  readonly url: string
  readonly authToken?: string | undefined
}): Layer.Layer<AppServices, unknown> =>
  Layer.mergeAll(servicesLayer, AuthLayer).pipe(
    Layer.provideMerge(Database.layer({ url: config.url, authToken: config.authToken })),
  )
