export { createWorkflows } from './create-workflows.js';
export type { Workflows, WorkflowsDeps } from './create-workflows.js';
export { validateDefinition } from './definition/index.js';
