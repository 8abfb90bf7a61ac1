import { z } from 'zod';

import { RunRequest } from '../../contracts/index.js';

/** A step id: also its name in expressions (`steps.login.status`), so an identifier. */
const StepId = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'a letter or _, then letters, digits or _');

/** A JSONata expression, such as `steps.login.status = 'succeeded'`. */
const Expression = z.string().min(1).max(4000);

const common = {
  id: StepId,
  /** Carry on after the step fails; later steps read its `status` and decide. */
  continue_on_error: z.boolean().optional(),
};

/** A run, with all of `/v1/runs`'s fields; strings may hold `{{ expression }}` templates. */
const TaskStep = RunRequest.extend({
  ...common,
  type: z.literal('task'),
  machine_id: z.string().min(1).max(256).optional(),
}).strict();

const AssertStep = z
  .object({
    ...common,
    type: z.literal('assert'),
    condition: Expression,
    message: z.string().max(2000).optional(),
  })
  .strict();

const WaitStep = z
  .object({ ...common, type: z.literal('wait'), seconds: z.number().min(0).max(86_400) })
  .strict();

const ApprovalStep = z
  .object({
    ...common,
    type: z.literal('human_approval'),
    message: z.string().max(2000).optional(),
  })
  .strict();

export type TaskStep = z.infer<typeof TaskStep>;
export type AssertStep = z.infer<typeof AssertStep>;
export type WaitStep = z.infer<typeof WaitStep>;
export type ApprovalStep = z.infer<typeof ApprovalStep>;

export interface IfStep {
  id: string;
  type: 'if';
  continue_on_error?: boolean;
  condition: string;
  then: Step[];
  else?: Step[];
}

export interface LoopStep {
  id: string;
  type: 'loop';
  continue_on_error?: boolean;
  /** An expression giving the list to go over; or `while`, checked before each iteration. */
  over?: string;
  while?: string;
  /** The name of the current item in expressions; `item` by default (and `index`). */
  as?: string;
  max_iterations: number;
  steps: Step[];
}

export interface Branch {
  /** The machine the branch's task steps run on unless they name one. */
  machine_id?: string;
  steps: Step[];
}

export interface ParallelStep {
  id: string;
  type: 'parallel';
  continue_on_error?: boolean;
  branches: Branch[];
}

export interface RetryStep {
  id: string;
  type: 'retry';
  continue_on_error?: boolean;
  attempts: number;
  /** Wait before the second attempt; each later wait is `backoff_multiplier` times longer. */
  backoff_seconds?: number;
  backoff_multiplier?: number;
  step: Step;
}

export type Step =
  TaskStep | AssertStep | WaitStep | ApprovalStep | IfStep | LoopStep | ParallelStep | RetryStep;

const Steps: z.ZodType<Step[]> = z.lazy(() => z.array(StepSchema).min(1).max(200));

const IfSchema = z
  .object({
    ...common,
    type: z.literal('if'),
    condition: Expression,
    then: Steps,
    else: Steps.optional(),
  })
  .strict();

const LoopSchema = z
  .object({
    ...common,
    type: z.literal('loop'),
    over: Expression.optional(),
    while: Expression.optional(),
    as: StepId.optional(),
    max_iterations: z.number().int().min(1).max(100_000),
    steps: Steps,
  })
  .strict()
  .refine((loop) => (loop.over === undefined) !== (loop.while === undefined), {
    message: 'a loop takes exactly one of `over` and `while`',
    path: ['over'],
  });

const BranchSchema = z
  .object({ machine_id: z.string().min(1).max(256).optional(), steps: Steps })
  .strict();

const ParallelSchema = z
  .object({
    ...common,
    type: z.literal('parallel'),
    branches: z.array(BranchSchema).min(2).max(16),
  })
  .strict();

const RetrySchema = z
  .object({
    ...common,
    type: z.literal('retry'),
    attempts: z.number().int().min(1).max(20),
    backoff_seconds: z.number().min(0).max(3600).optional(),
    backoff_multiplier: z.number().min(1).max(10).optional(),
    step: z.lazy(() => StepSchema),
  })
  .strict();

export const StepSchema: z.ZodType<Step> = z.discriminatedUnion('type', [
  TaskStep,
  AssertStep,
  WaitStep,
  ApprovalStep,
  IfSchema,
  LoopSchema,
  ParallelSchema,
  RetrySchema,
]) as unknown as z.ZodType<Step>;

/** A whole definition: the steps in order and, optionally, how to build the run's output. */
export const DefinitionSchema = z
  .object({
    dsl_version: z.string().optional(),
    steps: Steps,
    /** Output field name → expression, evaluated when the last step has succeeded. */
    output: z.record(z.string(), Expression).optional(),
  })
  .strict();
export type Definition = z.infer<typeof DefinitionSchema>;
