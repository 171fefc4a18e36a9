/**
 * The core schema: registries, customers, actions. Times are epoch milliseconds (INTEGER);
 * JSON documents are TEXT. See docs/store.md for why each index exists.
 */
import type { Migration } from "./index"

export default {
  id: 1,
  name: "core",
  statements: [
    // Counters read on every batch: `registry_version` is bumped by every registry write
    // (templates, touchpoints, channels, brands, settings) so each process can keep an
    // in-memory registry cache and refresh it when another process changed something.
    `CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID`,
    `INSERT INTO meta (key, value) VALUES ('registry_version', 1)`,

    // Project settings: one JSON document per key (multiBrand, defaultTouchpointId, …).
    `CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID`,

    `CREATE TABLE brands (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      industry TEXT NOT NULL DEFAULT '',
      created_at INTEGER NOT NULL
    )`,

    `CREATE TABLE channels (
      id TEXT PRIMARY KEY,
      external_id TEXT UNIQUE,
      name TEXT NOT NULL,
      parent_id TEXT REFERENCES channels(id),
      created_at INTEGER NOT NULL
    )`,
    `CREATE INDEX channels_parent ON channels (parent_id)`,

    `CREATE TABLE touchpoints (
      id TEXT PRIMARY KEY,
      external_id TEXT UNIQUE,
      name TEXT NOT NULL,
      kind TEXT NOT NULL,
      channel_id TEXT NOT NULL REFERENCES channels(id),
      brand_id TEXT REFERENCES brands(id),
      deleted INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL
    )`,
    `CREATE INDEX touchpoints_channel ON touchpoints (channel_id)`,

    // The whole TemplateDefinition as JSON; category duplicated for the category filter.
    `CREATE TABLE templates (
      name TEXT PRIMARY KEY,
      category TEXT NOT NULL,
      built_in INTEGER NOT NULL,
      definition TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    )`,

    // A fresh project works at once: a default brand, and a default channel + touchpoint for
    // actions that name none. Staff rename or replace them in the registries.
    `INSERT INTO brands (id, name, industry, created_at) VALUES ('default', 'Default brand', '', 0)`,
    `INSERT INTO channels (id, external_id, name, parent_id, created_at) VALUES ('ch_default', 'default', 'Default channel', NULL, 0)`,
    `INSERT INTO touchpoints (id, external_id, name, kind, channel_id, brand_id, deleted, created_at) VALUES ('tp_api', 'api', 'API', 'api', 'ch_default', NULL, 0, 0)`,
    `INSERT INTO settings (key, value) VALUES ('project', '{"multiBrand":false,"defaultBrandId":"default","defaultTouchpointId":"tp_api"}')`,

    `CREATE TABLE customers (
      id TEXT PRIMARY KEY,
      profile TEXT NOT NULL,
      search_name TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    )`,
    `CREATE INDEX customers_search_name ON customers (search_name) WHERE search_name IS NOT NULL`,
    // One value per kind per customer; a (kind, value) belongs to one customer.
    `CREATE TABLE customer_identifiers (
      kind TEXT NOT NULL,
      value TEXT NOT NULL,
      customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
      PRIMARY KEY (kind, value)
    ) WITHOUT ROWID`,
    `CREATE UNIQUE INDEX customer_identifiers_customer ON customer_identifiers (customer_id, kind)`,
    // Search by any identifier prefix, whatever its kind.
    `CREATE INDEX customer_identifiers_value ON customer_identifiers (value)`,

    // seq: the rowid (compact, insertion-ordered) that the indexes point at; id: the public
    // UUIDv7. channel_id is the touchpoint's channel at record time; brand_id is always set
    // (single-brand actions get the default brand, and keep it when multi-brand is turned on).
    // custom_fields NULL = {}; recorded_by = "kind:id" (apiKey:…, staff:…, import:…, system:…).
    `CREATE TABLE actions (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL,
      customer_id TEXT NOT NULL REFERENCES customers(id),
      template TEXT NOT NULL,
      occurred_at INTEGER NOT NULL,
      recorded_at INTEGER NOT NULL,
      touchpoint_id TEXT NOT NULL,
      channel_id TEXT NOT NULL,
      brand_id TEXT NOT NULL,
      transaction_id TEXT,
      payload TEXT NOT NULL,
      custom_fields TEXT,
      recorded_by TEXT NOT NULL
    )`,
    `CREATE UNIQUE INDEX actions_id ON actions (id)`,
    // Activity feed: one customer, newest first by event time, ties by id.
    `CREATE INDEX actions_feed ON actions (customer_id, occurred_at DESC, id DESC)`,
    // "Same actions" page and segments: every action of a template by time.
    `CREATE INDEX actions_template ON actions (template, occurred_at DESC, id DESC)`,
    // Actions page without a template filter.
    `CREATE INDEX actions_time ON actions (occurred_at DESC, id DESC)`,
    // Exports window on recorded time (rowid breaks ties and resumes a stream).
    `CREATE INDEX actions_recorded ON actions (recorded_at)`,
    // Idempotency: a transaction id is recorded once, forever.
    `CREATE UNIQUE INDEX actions_transaction ON actions (transaction_id) WHERE transaction_id IS NOT NULL`,

    // External-identity custom fields: a value is unique across the actions of a template.
    `CREATE TABLE action_identities (
      template TEXT NOT NULL,
      field TEXT NOT NULL,
      value TEXT NOT NULL,
      action_id TEXT NOT NULL,
      PRIMARY KEY (template, field, value)
    ) WITHOUT ROWID`,
  ],
} satisfies Migration
