export { Verifier } from './verifier.js';
export type { JudgeCheck, Verdict, VerifierDeps, VerifyInput } from './verifier.js';
export { urlMatches } from './criteria-checks.js';
export type { CheckResult, Criterion } from './criteria-checks.js';
