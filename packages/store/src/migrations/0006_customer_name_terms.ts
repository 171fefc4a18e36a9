/**
 * Customer search by any of a customer's names: one row per word of the name, holding the
 * name from that word on ("zoe anna quinn", "anna quinn", "quinn"). A prefix range on `term`
 * then finds "Quinn" or "Anna Q" as well as "Zoe", still on an index. Existing customers are
 * indexed from their `search_name` here; `Customers` keeps the rows current.
 */
import type { Migration } from "./index"

export default {
  id: 6,
  name: "customer_name_terms",
  statements: [
    `CREATE TABLE customer_name_terms (
      term TEXT NOT NULL,
      customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
      PRIMARY KEY (term, customer_id)
    ) WITHOUT ROWID`,
    `CREATE INDEX customer_name_terms_customer ON customer_name_terms (customer_id)`,
    `INSERT OR IGNORE INTO customer_name_terms (term, customer_id)
       WITH RECURSIVE suffix(customer_id, rest) AS (
         SELECT id, search_name FROM customers WHERE search_name IS NOT NULL AND search_name <> ''
         UNION ALL
         SELECT customer_id, ltrim(substr(rest, instr(rest, ' ') + 1)) FROM suffix
          WHERE instr(rest, ' ') > 0
       )
       SELECT rest, customer_id FROM suffix WHERE rest <> ''`,
  ],
} satisfies Migration
