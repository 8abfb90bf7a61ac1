import type { EventLog, NewEvent } from '../../events/index.js';
import type { Transaction } from '../../events/index.js';
import type { Clock } from '../../core/index.js';
import type { WalletService } from '../../wallet/index.js';
import type { StepRecord } from '../../models/index.js';
import { readJson, writeJson } from '../../store/index.js';
import type { RunRow } from '../run-row.js';

export type ChargeResult = 'paid' | 'insufficient' | 'not_running';

/**
 * The durable side of a step: its charge before it runs, its record when it completes, and
 * the refund of a step that never completed. Each write is conditional on the run still
 * running, so nothing is charged or recorded after a cancel commits.
 */
export class StepLedger {
  constructor(
    private readonly events: EventLog,
    private readonly wallet: WalletService,
    private readonly clock: Clock,
    private readonly priceCredits: number,
  ) {}

  charge(run: RunRow, step: number): Promise<ChargeResult> {
    return this.events.write(async (trx, emit) => {
      // Locks the run row first, so a concurrent cancel waits for this charge or wins before it.
      const locked = await trx
        .updateTable('runs')
        .set((eb) => ({ credits_charged: eb('credits_charged', '+', 0) }))
        .where('id', '=', run.id)
        .where('status', '=', 'running')
        .executeTakeFirst();
      if (Number(locked.numUpdatedRows) === 0) {
        return 'not_running';
      }

      const outcome = await this.wallet.chargeStep(
        trx,
        run.organization_id,
        run.id,
        step,
        this.priceCredits,
      );
      if (outcome.kind === 'insufficient') {
        return 'insufficient';
      }
      if (outcome.kind === 'charged') {
        await this.addCharged(trx, run.id, this.priceCredits);
        await emit(run.id, billingEvent(step, this.priceCredits, outcome.balanceAfter));
      }
      return 'paid';
    });
  }

  /** Records a completed step; false when the run stopped running meanwhile. */
  complete(run: RunRow, record: StepRecord, summary: Record<string, unknown>): Promise<boolean> {
    return this.events.write(async (trx, emit) => {
      const updated = await trx
        .updateTable('runs')
        .set({ steps_completed: record.step, resume_note: null })
        .where('id', '=', run.id)
        .where('status', '=', 'running')
        .where('steps_completed', '=', record.step - 1)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) {
        return false;
      }

      await this.insertStep(trx, run.id, record);
      await emit(run.id, { type: 'step', data: { step: record.step, ...summary } });
      return true;
    });
  }

  /**
   * Records a step a pause or shutdown interrupted after it began to act, whatever the run's
   * status now, and takes its charge again where the pause refunded it: a step that acted
   * counts as done. A wallet that cannot pay for it keeps nothing, so the run's steps and
   * charges still agree; the model then decides afresh from the screen.
   */
  async keepInterrupted(run: RunRow, record: StepRecord): Promise<void> {
    await this.events.write(async (trx, emit) => {
      const updated = await trx
        .updateTable('runs')
        .set({ steps_completed: record.step })
        .where('id', '=', run.id)
        .where('status', 'in', ['running', 'awaiting_human'])
        .where('steps_completed', '=', record.step - 1)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) {
        return;
      }
      const { organization_id: organizationId } = run;
      const price = this.priceCredits;
      const outcome = await this.wallet.chargeStep(trx, organizationId, run.id, record.step, price);
      if (outcome.kind === 'insufficient') {
        await trx
          .updateTable('runs')
          .set({ steps_completed: record.step - 1 })
          .where('id', '=', run.id)
          .execute();
        return;
      }
      if (outcome.kind === 'charged') {
        await this.addCharged(trx, run.id, price);
        await emit(run.id, billingEvent(record.step, price, outcome.balanceAfter));
      }
      await this.insertStep(trx, run.id, record);
    });
  }

  /** Within a transition: gives back the charge of a step that will not complete. */
  async refundUnfinished(trx: Transaction, row: RunRow): Promise<NewEvent[]> {
    const step = row.steps_completed + 1;
    const refunded = await this.wallet.refundStep(trx, row.organization_id, row.id, step);
    if (refunded === 0) {
      return [];
    }
    await this.addCharged(trx, row.id, -refunded);
    const balance = await this.wallet.balance(row.organization_id, trx);
    return [
      { type: 'billing', data: { step, credits: -refunded, balance_after: balance, refund: true } },
    ];
  }

  async history(runId: string, trx: Transaction): Promise<StepRecord[]> {
    const rows = await trx
      .selectFrom('run_steps')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('step')
      .execute();
    return rows.map((row) => ({
      step: row.step,
      decision: readJson(row.decision, { actions: [] }),
      outcomes: readJson(row.outcomes, []),
    }));
  }

  private async insertStep(trx: Transaction, runId: string, record: StepRecord): Promise<void> {
    await trx
      .insertInto('run_steps')
      .values({
        run_id: runId,
        step: record.step,
        decision: writeJson(record.decision),
        outcomes: writeJson(record.outcomes),
        created_at: this.clock.now().toISOString(),
      })
      .execute();
  }

  private async addCharged(trx: Transaction, runId: string, credits: number): Promise<void> {
    await trx
      .updateTable('runs')
      .set((eb) => ({ credits_charged: eb('credits_charged', '+', credits) }))
      .where('id', '=', runId)
      .execute();
  }
}

function billingEvent(step: number, credits: number, balanceAfter: number): NewEvent {
  return { type: 'billing', data: { step, credits, balance_after: balanceAfter, refund: false } };
}
