import { randomBytes, randomUUID } from 'node:crypto';

/** Makes the identifiers the API hands out. */
export interface IdGenerator {
  uuid(): string;
  /** A short random id with a readable prefix, such as `req_1a2b…`. */
  prefixed(prefix: string, bytes?: number): string;
}

export const randomIds: IdGenerator = {
  uuid: () => randomUUID(),
  prefixed: (prefix, bytes = 12) => `${prefix}_${randomBytes(bytes).toString('hex')}`,
};
