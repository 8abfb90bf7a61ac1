export { checkInputs, checkInputsSchema } from './inputs.js';
export { validateDefinition } from './validate.js';
export { ExpressionError, evaluate, evaluateCondition, render } from './expressions.js';
export type { Scope } from './expressions.js';
export { walkSteps, childSteps } from './walk.js';
export type {
  ApprovalStep,
  AssertStep,
  Branch,
  Definition,
  IfStep,
  LoopStep,
  ParallelStep,
  RetryStep,
  Step,
  TaskStep,
  WaitStep,
} from './steps.js';
