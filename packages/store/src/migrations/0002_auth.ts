import { builtInRoles } from "../auth/Permissions"
import type { Migration } from "./index"

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`

// Authentication and the audit log. Secrets are stored only as hashes (see auth/Secrets.ts).
export default {
  id: 2,
  name: "auth",
  statements: [
    `CREATE TABLE roles (
      name TEXT PRIMARY KEY,
      description TEXT NOT NULL,
      permissions TEXT NOT NULL,
      built_in INTEGER NOT NULL DEFAULT 0
    )`,
    ...builtInRoles.map(
      (r) =>
        `INSERT INTO roles (name, description, permissions, built_in) VALUES (${quote(r.name)}, ${quote(
          r.description,
        )}, ${quote(JSON.stringify(r.permissions))}, 1)`,
    ),
    `CREATE TABLE staff_users (
      id TEXT PRIMARY KEY,
      email TEXT NOT NULL UNIQUE COLLATE NOCASE,
      name TEXT NOT NULL,
      role TEXT NOT NULL REFERENCES roles(name),
      password_hash TEXT NOT NULL,
      disabled INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      last_sign_in_at INTEGER
    )`,
    `CREATE TABLE staff_sessions (
      id TEXT PRIMARY KEY,
      staff_id TEXT NOT NULL REFERENCES staff_users(id),
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      ip TEXT,
      user_agent TEXT
    )`,
    "CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id)",
    `CREATE TABLE api_keys (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      lookup TEXT NOT NULL,
      key_hash TEXT NOT NULL,
      scopes TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      created_by TEXT NOT NULL,
      revoked_at INTEGER,
      revoked_by TEXT
    )`,
    "CREATE INDEX api_keys_lookup ON api_keys (lookup)",
    `CREATE TABLE audit_log (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      at INTEGER NOT NULL,
      actor_kind TEXT NOT NULL,
      actor_id TEXT,
      actor_label TEXT NOT NULL,
      action TEXT NOT NULL,
      target_type TEXT NOT NULL,
      target_id TEXT,
      changes TEXT NOT NULL,
      ip TEXT
    )`,
    "CREATE INDEX audit_log_target ON audit_log (target_type, target_id, seq)",
    "CREATE INDEX audit_log_actor ON audit_log (actor_id, seq)",
    // Append-only: no code path updates or deletes, and the database refuses it too.
    `CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`,
    `CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`,
  ],
} satisfies Migration
