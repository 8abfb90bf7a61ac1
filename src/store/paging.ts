import { sql } from 'kysely';
import type { RawBuilder } from 'kysely';

/** Where a page left off: the row listed last, in newest-first order. */
export interface PageCursor {
  created_at: string;
  id: string;
}

/**
 * The rows after `cursor` in newest-first order (created_at, then id, both descending), for
 * lists that page with `starting_after`. The id breaks ties between rows of the same instant.
 */
export function olderThan(cursor: PageCursor): RawBuilder<boolean> {
  const { created_at: createdAt, id } = cursor;
  return sql<boolean>`(created_at < ${createdAt} or (created_at = ${createdAt} and id < ${id}))`;
}
