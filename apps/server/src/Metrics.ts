import type { ApiMetrics } from "@actionlog/api"
import type { DeliveryObserver } from "@actionlog/store"

// Prometheus text exposition, kept in-process (one process = one scrape target).

const buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

interface Histogram {
  readonly counts: Array<number>
  sum: number
  count: number
}

const escape = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")

export class Metrics implements ApiMetrics {
  private readonly calls = new Map<string, number>()
  private readonly durations = new Map<string, Histogram>()
  private readonly http = new Map<string, number>()
  private recorded = 0
  private rejected = 0
  private alreadyProcessed = 0
  inFlight = 0
  private readonly webhookDeliveries = new Map<string, number>()
  private readonly webhookActions = new Map<string, number>()
  private readonly webhookFailures = new Map<string, number>()
  private readonly webhookLag = new Map<string, number>()

  /** Reported by this process's webhook worker for the subscriptions it delivers. */
  readonly webhooks: DeliveryObserver = {
    delivered: (id, actions) => {
      this.webhookDeliveries.set(id, (this.webhookDeliveries.get(id) ?? 0) + 1)
      this.webhookActions.set(id, (this.webhookActions.get(id) ?? 0) + actions)
    },
    failed: (id) => this.webhookFailures.set(id, (this.webhookFailures.get(id) ?? 0) + 1),
    lag: (id, seconds) => this.webhookLag.set(id, seconds),
  }

  readonly observe = (path: string, type: string, outcome: string, durationMs: number): void => {
    const key = `procedure="${escape(path)}",type="${type}",outcome="${outcome}"`
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1)
    const hkey = `procedure="${escape(path)}"`
    let h = this.durations.get(hkey)
    if (h === undefined) {
      h = { counts: buckets.map(() => 0), sum: 0, count: 0 }
      this.durations.set(hkey, h)
    }
    const seconds = durationMs / 1000
    for (let i = 0; i < buckets.length; i++) if (seconds <= buckets[i]!) h.counts[i]!++
    h.sum += seconds
    h.count++
  }

  readonly actions = (recorded: number, rejected: number, alreadyProcessed: number): void => {
    this.recorded += recorded
    this.rejected += rejected
    this.alreadyProcessed += alreadyProcessed
  }

  /** One finished HTTP request, by route family and status code. */
  readonly request = (route: string, status: number): void => {
    const key = `route="${route}",status="${status}"`
    this.http.set(key, (this.http.get(key) ?? 0) + 1)
  }

  render(): string {
    const out: Array<string> = []
    out.push("# HELP actionlog_http_requests_total HTTP requests by route and status.")
    out.push("# TYPE actionlog_http_requests_total counter")
    for (const [k, v] of this.http) out.push(`actionlog_http_requests_total{${k}} ${v}`)
    out.push("# HELP actionlog_http_in_flight HTTP requests being served now.")
    out.push("# TYPE actionlog_http_in_flight gauge")
    out.push(`actionlog_http_in_flight ${this.inFlight}`)
    out.push(
      "# HELP actionlog_procedure_calls_total tRPC procedure calls by outcome (OK or error code).",
    )
    out.push("# TYPE actionlog_procedure_calls_total counter")
    for (const [k, v] of this.calls) out.push(`actionlog_procedure_calls_total{${k}} ${v}`)
    out.push("# HELP actionlog_procedure_duration_seconds tRPC procedure latency.")
    out.push("# TYPE actionlog_procedure_duration_seconds histogram")
    for (const [k, h] of this.durations) {
      buckets.forEach((b, i) =>
        out.push(`actionlog_procedure_duration_seconds_bucket{${k},le="${b}"} ${h.counts[i]}`),
      )
      out.push(`actionlog_procedure_duration_seconds_bucket{${k},le="+Inf"} ${h.count}`)
      out.push(`actionlog_procedure_duration_seconds_sum{${k}} ${h.sum}`)
      out.push(`actionlog_procedure_duration_seconds_count{${k}} ${h.count}`)
    }
    out.push("# HELP actionlog_actions_recorded_total Actions written.")
    out.push("# TYPE actionlog_actions_recorded_total counter")
    out.push(`actionlog_actions_recorded_total ${this.recorded}`)
    out.push(
      "# HELP actionlog_actions_rejected_total Actions refused (invalid, unknown template, …).",
    )
    out.push("# TYPE actionlog_actions_rejected_total counter")
    out.push(`actionlog_actions_rejected_total ${this.rejected}`)
    out.push(
      "# HELP actionlog_actions_already_processed_total Repeated transaction ids answered with the original.",
    )
    out.push("# TYPE actionlog_actions_already_processed_total counter")
    out.push(`actionlog_actions_already_processed_total ${this.alreadyProcessed}`)
    const perWebhook = (name: string, type: string, help: string, values: Map<string, number>) => {
      out.push(`# HELP ${name} ${help}`)
      out.push(`# TYPE ${name} ${type}`)
      for (const [id, v] of values) out.push(`${name}{webhook="${escape(id)}"} ${v}`)
    }
    perWebhook(
      "actionlog_webhook_deliveries_total",
      "counter",
      "Webhook deliveries acknowledged with 2xx, by subscription.",
      this.webhookDeliveries,
    )
    perWebhook(
      "actionlog_webhook_actions_delivered_total",
      "counter",
      "Actions in acknowledged webhook deliveries.",
      this.webhookActions,
    )
    perWebhook(
      "actionlog_webhook_failures_total",
      "counter",
      "Failed webhook attempts (non-2xx, timeout, connection error).",
      this.webhookFailures,
    )
    perWebhook(
      "actionlog_webhook_lag_seconds",
      "gauge",
      "Seconds the oldest undelivered matching action has waited (0 when caught up).",
      this.webhookLag,
    )
    return out.join("\n") + "\n"
  }
}
