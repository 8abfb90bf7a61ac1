import {
  DeleteSnapshotResponse,
  ListSnapshotsQuery,
  ListSnapshotsResponse,
  MachineIdParams,
  SnapshotIdParams,
  SnapshotRequest,
  SnapshotResponse,
} from '../../contracts/index.js';
import { defineRoute } from '../../http/index.js';
import type { AnyRoute } from '../../http/index.js';
import type { WalletService } from '../../wallet/index.js';
import type { SnapshotCatalog } from './snapshot-catalog.js';
import type { SnapshotService } from './snapshot-service.js';

export interface SnapshotRouteDeps {
  snapshots: SnapshotService;
  catalog: SnapshotCatalog;
  wallet: WalletService;
}

/**
 * `POST /v1/machines/{id}/snapshot` (the reference's), and this server's extensions to list
 * and delete snapshots.
 */
export function snapshotRoutes({ snapshots, catalog, wallet }: SnapshotRouteDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/machines/{machine_id}/snapshot',
      operationId: 'snapshotMachine',
      summary: 'Snapshot the machine’s home and browser profile (one-time fee)',
      tags: ['machines'],
      scope: 'snapshots:write',
      idempotent: true,
      params: MachineIdParams,
      body: SnapshotRequest,
      bodyOptional: true,
      response: SnapshotResponse,
      handler: async ({ auth, params, body, requestId }) => {
        const snapshot = await snapshots.take(auth.organizationId, params.machine_id, body.name);
        const remaining = await wallet.balance(auth.organizationId);
        return {
          headers: {
            'X-Credits-Charged': String(snapshot.credits_charged),
            'X-Credits-Remaining': String(remaining),
          },
          body: {
            machine_id: params.machine_id,
            snapshot_id: snapshot.id,
            name: snapshot.name,
            created_at: snapshot.created_at,
            credits_charged: snapshot.credits_charged,
            request_id: requestId,
          },
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/snapshots',
      operationId: 'listSnapshots',
      summary: 'List the organization’s snapshots, newest first',
      tags: ['machines'],
      scope: 'machines:read',
      query: ListSnapshotsQuery,
      response: ListSnapshotsResponse,
      handler: async ({ auth, query, requestId }) => {
        const rows = await catalog.list(auth.organizationId, query.limit + 1, {
          machineId: query.machine_id,
          startingAfter: query.starting_after,
        });
        const page = rows.slice(0, query.limit);
        const hasMore = rows.length > query.limit;
        const nextCursor = hasMore ? (page.at(-1)?.id ?? null) : null;
        return {
          body: { data: page, has_more: hasMore, next_cursor: nextCursor, request_id: requestId },
        };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/v1/snapshots/{snapshot_id}',
      operationId: 'deleteSnapshot',
      summary: 'Delete a snapshot and its files (its fee is not refunded)',
      tags: ['machines'],
      scope: 'snapshots:write',
      params: SnapshotIdParams,
      response: DeleteSnapshotResponse,
      handler: async ({ auth, params, requestId }) => {
        await catalog.remove(auth.organizationId, params.snapshot_id);
        return {
          body: { snapshot_id: params.snapshot_id, deleted: true, request_id: requestId },
        };
      },
    }),
  ];
}
