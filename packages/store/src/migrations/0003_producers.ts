/**
 * State of the producers (SPEC §5): orders, campaigns and messages, promo codes, rewards and
 * bonus points, notes, and the redirects that route a merged-away customer to the survivor.
 * Every row that stands for a recorded action keeps that action's id (`action_id`), written in
 * the same transaction as the action.
 */
import type { Migration } from "./index"

export default {
  id: 3,
  name: "producers",
  statements: [
    // Orders: the current snapshot (lines, totals, status) as JSON; brand and touchpoint are
    // those resolved for the OrderPlaced action and reused by later changes.
    `CREATE TABLE orders (
      id TEXT PRIMARY KEY,
      customer_id TEXT NOT NULL,
      status TEXT NOT NULL,
      snapshot TEXT NOT NULL,
      brand_id TEXT NOT NULL,
      touchpoint_id TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    )`,
    `CREATE INDEX orders_customer ON orders (customer_id, created_at DESC)`,
    // One row per status change (the order's history), with the snapshot as it was then.
    `CREATE TABLE order_events (
      seq INTEGER PRIMARY KEY,
      order_id TEXT NOT NULL REFERENCES orders(id),
      action_id TEXT NOT NULL,
      template TEXT NOT NULL,
      status TEXT NOT NULL,
      previous_status TEXT,
      line_ids TEXT,
      snapshot TEXT NOT NULL,
      occurred_at INTEGER NOT NULL
    )`,
    `CREATE INDEX order_events_order ON order_events (order_id, seq)`,

    `CREATE TABLE campaigns (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      brand_id TEXT,
      created_at INTEGER NOT NULL
    )`,
    // templates: JSON map event → template system name (see docs/producers.md).
    `CREATE TABLE campaign_messages (
      id TEXT PRIMARY KEY,
      campaign_id TEXT NOT NULL REFERENCES campaigns(id),
      name TEXT NOT NULL,
      channel TEXT NOT NULL,
      subject TEXT,
      templates TEXT NOT NULL,
      created_at INTEGER NOT NULL
    )`,
    `CREATE INDEX campaign_messages_campaign ON campaign_messages (campaign_id)`,
    // Per-message counters, bumped in the transaction that records the event's action (a
    // repeated event is "already processed" and does not count twice).
    `CREATE TABLE campaign_message_stats (
      message_id TEXT NOT NULL,
      event TEXT NOT NULL,
      count INTEGER NOT NULL,
      PRIMARY KEY (message_id, event)
    ) WITHOUT ROWID`,

    `CREATE TABLE promo_pools (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      description TEXT NOT NULL,
      expires_at INTEGER,
      created_at INTEGER NOT NULL
    )`,
    // A code is issued at most once and redeemed at most once: issuing is a conditional
    // UPDATE (status = 'available'), redeeming one on status = 'issued'.
    `CREATE TABLE promo_codes (
      code TEXT PRIMARY KEY,
      pool_id TEXT NOT NULL REFERENCES promo_pools(id),
      status TEXT NOT NULL,
      customer_id TEXT,
      issued_at INTEGER,
      issue_action_id TEXT,
      redeemed_at INTEGER,
      redeem_action_id TEXT,
      order_id TEXT,
      expires_at INTEGER,
      seq INTEGER NOT NULL
    )`,
    `CREATE INDEX promo_codes_available ON promo_codes (pool_id, status, seq)`,
    `CREATE INDEX promo_codes_customer ON promo_codes (customer_id)`,

    `CREATE TABLE rewards (
      id TEXT PRIMARY KEY,
      customer_id TEXT NOT NULL,
      reward TEXT NOT NULL,
      description TEXT,
      amount REAL,
      action_id TEXT NOT NULL,
      issued_at INTEGER NOT NULL
    )`,
    `CREATE INDEX rewards_customer ON rewards (customer_id, issued_at DESC)`,
    `CREATE TABLE bonus_kinds (
      name TEXT PRIMARY KEY,
      display_name TEXT NOT NULL,
      allow_negative INTEGER NOT NULL,
      default_expiry_days INTEGER
    )`,
    `INSERT INTO bonus_kinds VALUES ('points', 'Bonus points', 0, 365), ('credit', 'Store credit', 1, NULL)`,
    `CREATE TABLE bonus_balances (
      customer_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      balance REAL NOT NULL,
      PRIMARY KEY (customer_id, kind)
    ) WITHOUT ROWID`,
    `CREATE TABLE bonus_changes (
      seq INTEGER PRIMARY KEY,
      customer_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      delta REAL NOT NULL,
      balance_after REAL NOT NULL,
      reason TEXT NOT NULL,
      order_id TEXT,
      expires_at INTEGER,
      -- 1: this change took expired credits away (Rewards.expireCredits)
      expiry INTEGER NOT NULL DEFAULT 0,
      action_id TEXT NOT NULL,
      created_at INTEGER NOT NULL
    )`,
    `CREATE INDEX bonus_changes_customer ON bonus_changes (customer_id, seq)`,
    `CREATE INDEX bonus_changes_expiring ON bonus_changes (expires_at) WHERE expires_at IS NOT NULL`,

    `CREATE TABLE customer_notes (
      id TEXT PRIMARY KEY,
      customer_id TEXT NOT NULL,
      text TEXT NOT NULL,
      author TEXT NOT NULL,
      action_id TEXT NOT NULL,
      created_at INTEGER NOT NULL
    )`,
    `CREATE INDEX customer_notes_customer ON customer_notes (customer_id, created_at DESC)`,

    // Merge routing: a merged-away customer id, and identifiers the survivor could not take
    // over (it already had one of that kind), point at the survivor. Always one hop: a merge
    // re-points the redirects that pointed at the merged-away customer.
    // The target column is named customer_id so that erasing the survivor (which deletes rows
    // of every table with a customer_id column) drops its redirects too.
    `CREATE TABLE customer_redirects (
      from_id TEXT PRIMARY KEY,
      customer_id TEXT NOT NULL,
      merged_at INTEGER NOT NULL
    ) WITHOUT ROWID`,
    `CREATE INDEX customer_redirects_customer ON customer_redirects (customer_id)`,
    `CREATE TABLE identifier_redirects (
      kind TEXT NOT NULL,
      value TEXT NOT NULL,
      customer_id TEXT NOT NULL,
      PRIMARY KEY (kind, value)
    ) WITHOUT ROWID`,
    `CREATE INDEX identifier_redirects_customer ON identifier_redirects (customer_id)`,
  ],
} satisfies Migration
