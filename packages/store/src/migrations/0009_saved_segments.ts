/**
 * Saved segments: a named definition (the domain `Segment` as JSON) and the member set of its
 * last evaluation, so the next evaluation can say who entered and who left in between. Members
 * reference customers, so erasure removes a customer from every stored set with the profile.
 * The new `segments.manage` permission is granted to the built-in roles that hold it in code
 * (databases created before it existed).
 */
import type { Migration } from "./index"

export default {
  id: 9,
  name: "saved_segments",
  statements: [
    `CREATE TABLE saved_segments (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      definition TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      created_by TEXT NOT NULL,
      updated_at INTEGER NOT NULL,
      evaluated_at INTEGER,
      member_count INTEGER
    )`,
    `CREATE TABLE saved_segment_members (
      segment_id TEXT NOT NULL REFERENCES saved_segments(id) ON DELETE CASCADE,
      customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
      PRIMARY KEY (segment_id, customer_id)
    ) WITHOUT ROWID`,
    `CREATE INDEX saved_segment_members_customer ON saved_segment_members (customer_id)`,
    `UPDATE roles SET permissions = json_insert(permissions, '$[#]', 'segments.manage')
      WHERE built_in = 1 AND name IN ('admin', 'manager', 'analyst')
        AND NOT EXISTS (SELECT 1 FROM json_each(roles.permissions) WHERE value = 'segments.manage')`,
  ],
} satisfies Migration
