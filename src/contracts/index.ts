export { AgentAction, clickModifiers } from './actions.js';
export type { AgentActionInput, ClickModifier } from './actions.js';
export {
  ErrorEnvelope,
  HealthResponse,
  Metadata,
  SeqCursor,
  Uuid,
  limitParameter,
} from './common.js';
export { EventPage, EventsQuery, RunEvent, eventTypes } from './events.js';
export type { EventType } from './events.js';
export {
  ApiKeyListItem,
  ApiKeyResponse,
  CreateApiKeyRequest,
  CreateOrganizationRequest,
  KeyIdParams,
  ListApiKeysResponse,
  OrganizationResponse,
  RevokeApiKeyResponse,
} from './keys.js';
export {
  ConnectionDetailsRedacted,
  GetMachineResponse,
  LifecycleResponse,
  ListMachinesQuery,
  ListMachinesResponse,
  MachineIdParams,
  MachineRecord,
  ProvisionRequest,
  ProvisionResponse,
  UpdateMachineRequest,
  UpdateMachineResponse,
  machineStatuses,
} from './machines.js';
export {
  ConnectionDetailsFull,
  DeleteSnapshotResponse,
  ListSnapshotsQuery,
  ListSnapshotsResponse,
  MachinePricingResponse,
  SnapshotIdParams,
  SnapshotRecord,
  SnapshotRequest,
  SnapshotResponse,
} from './machine-access.js';
export {
  ListRunsQuery,
  ListRunsResponse,
  LlmConfig,
  PauseRunRequest,
  ResumeRunRequest,
  RunIdParams,
  RunRequest,
  RunResponse,
  RunStatus,
  SuccessCriterion,
  runStatuses,
  supportedCuaVersions,
} from './runs.js';
export { allScopes, defaultScopes, operatorScopes, referenceScopes } from './scopes.js';
export type { Scope } from './scopes.js';
export {
  LedgerQuery,
  LedgerResponse,
  TopUpRequest,
  TopUpResponse,
  WalletResponse,
} from './wallet.js';
export {
  ActionRequest,
  ActionResultResponse,
  BatchActionRequest,
  BatchActionResponse,
  BrowserOpParams,
  BrowserOpRequest,
  FilesOpParams,
  FilesOpRequest,
  ScreenshotQuery,
  ScreenshotResponse,
  TerminalRequest,
  actionCommands,
  browserOpNames,
  filesOpNames,
} from './machine-actions.js';
export type { ActionCommand } from './machine-actions.js';
export {
  ListWorkflowRunsQuery,
  ListWorkflowRunsResponse,
  ListWorkflowsQuery,
  ListWorkflowsResponse,
  ResumeWorkflowRunRequest,
  StartWorkflowRunRequest,
  WorkflowCreateRequest,
  WorkflowDeleteResponse,
  WorkflowIdParams,
  WorkflowResponse,
  WorkflowRunIdParams,
  WorkflowRunResponse,
  WorkflowUpdateRequest,
  dslVersion,
} from './workflows.js';
