import { MachineIdParams, SnapshotRequest, SnapshotResponse } from '../../contracts/index.js';
import { defineRoute } from '../../http/index.js';
import type { AnyRoute } from '../../http/index.js';
import type { WalletService } from '../../wallet/index.js';
import type { SnapshotService } from './snapshot-service.js';

/** `POST /v1/machines/{id}/snapshot`: a paid, restorable copy of the machine. */
export function snapshotRoutes(snapshots: SnapshotService, wallet: WalletService): AnyRoute[] {
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
  ];
}
