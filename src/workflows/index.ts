export { createWorkflows } from './workflows.js';
export type { Workflows, WorkflowsDeps } from './workflows.js';
export { validateDefinition } from './definition/index.js';
