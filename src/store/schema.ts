/**
 * The tables, as the query builder sees them. Times are ISO-8601 UTC strings (they sort as
 * text on both back ends), JSON is stored as text, booleans as 0/1.
 */
export interface Database {
  organizations: OrganizationsTable;
  api_keys: ApiKeysTable;
  machines: MachinesTable;
  runs: RunsTable;
  run_steps: RunStepsTable;
  event_streams: EventStreamsTable;
  events: EventsTable;
  wallets: WalletsTable;
  ledger_entries: LedgerEntriesTable;
  idempotency_keys: IdempotencyKeysTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  machine_snapshots: MachineSnapshotsTable;
  workflows: WorkflowsTable;
  workflow_runs: WorkflowRunsTable;
  workflow_steps: WorkflowStepsTable;
  run_credentials: RunCredentialsTable;
}

/** A provider key a run brought, sealed with the server's key, kept while the run lives. */
export interface RunCredentialsTable {
  run_id: string;
  provider: string;
  /** AES-256-GCM: `v1:` then base64 of nonce, tag and ciphertext. */
  sealed_key: string;
  key_fingerprint: string;
  created_at: string;
}

export interface OrganizationsTable {
  id: string;
  name: string;
  created_at: string;
}

export interface ApiKeysTable {
  id: string;
  organization_id: string;
  name: string;
  key_hash: string;
  key_prefix: string;
  scopes: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface MachinesTable {
  id: string;
  organization_id: string;
  display_name: string;
  status: string;
  os_type: string;
  desktop_enabled: number;
  screen_width: number;
  screen_height: number;
  metadata: string;
  created_at: string;
  started_at: string | null;
  deleted_at: string | null;
  ttl_minutes: number | null;
  /** When the machine's lease runs out and it is deleted; NULL for no lease. */
  auto_destroy_at: string | null;
  /** The password of the machine's VNC server; NULL for a machine without a desktop. */
  vnc_password: string | null;
}

export interface RunsTable {
  id: string;
  organization_id: string;
  machine_id: string;
  /** The machine id while the run holds it, NULL once it ended: unique, so one run a machine. */
  active_machine_id: string | null;
  status: string;
  task: string;
  cua_version: string;
  instructions: string | null;
  system_prompt: string | null;
  model: string;
  llm: string | null;
  max_steps: number;
  deadline_seconds: number;
  on_awaiting_human: string;
  awaiting_human_timeout_seconds: number | null;
  awaiting_human_reason: string | null;
  awaiting_human_code: string | null;
  awaiting_human_since: string | null;
  resume_note: string | null;
  webhook_url: string | null;
  webhook_secret: string | null;
  metadata: string | null;
  variables: string;
  secrets: string;
  success_criteria: string;
  steps_completed: number;
  credits_charged: number;
  /** Milliseconds spent running before the current running segment began. */
  active_ms: number;
  result: string | null;
  error: string | null;
  request_id: string | null;
  created_at: string;
  started_at: string | null;
  /** When the current running segment began (epoch ms); NULL while not running. */
  running_since_ms: number | null;
  finished_at: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
}

export interface RunStepsTable {
  run_id: string;
  step: number;
  decision: string;
  outcomes: string;
  created_at: string;
}

export interface EventStreamsTable {
  stream_id: string;
  last_seq: number;
}

export interface EventsTable {
  stream_id: string;
  seq: number;
  type: string;
  data: string;
  schema_version: number;
  created_at: string;
}

export interface WalletsTable {
  organization_id: string;
  balance_credits: number;
  updated_at: string;
}

export interface LedgerEntriesTable {
  id: string;
  organization_id: string;
  kind: string;
  /** Signed: positive adds to the balance, negative takes from it. */
  amount_credits: number;
  balance_after: number;
  run_id: string | null;
  step: number | null;
  /** Makes an entry happen once: `charge:<run>:<step>:<n>`, `refund:<run>:<step>:<n>`. */
  unique_key: string;
  schema_version: number;
  created_at: string;
}

export interface IdempotencyKeysTable {
  organization_id: string;
  key: string;
  operation: string;
  request_hash: string;
  state: string;
  response_status: number | null;
  response_body: string | null;
  created_at: string;
  expires_at: string;
  /** An in-flight reservation older than this was abandoned by a crashed server. */
  locked_until: string;
}

export interface WebhookDeliveriesTable {
  id: string;
  organization_id: string;
  run_id: string;
  event_seq: number;
  event_type: string;
  url: string;
  payload: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  last_error: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  attempt: number;
  started_at: string;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
  signature_timestamp: number;
}

export interface MachineSnapshotsTable {
  id: string;
  organization_id: string;
  /** The machine it was taken of; that machine may have been deleted since. */
  machine_id: string;
  name: string;
  /** `creating` while files are copied, then `ready` or `failed` (its fee refunded). */
  status: string;
  desktop_enabled: number;
  credits_charged: number;
  size_bytes: number | null;
  error: string | null;
  created_at: string;
  completed_at: string | null;
}

export interface WorkflowsTable {
  id: string;
  organization_id: string;
  name: string;
  slug: string;
  /** 1 on create, bumped by every update. */
  version: number;
  definition: string;
  inputs_schema: string | null;
  description: string | null;
  status: string;
  metadata: string | null;
  request_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface WorkflowRunsTable {
  id: string;
  organization_id: string;
  workflow_id: string | null;
  workflow_version: number | null;
  /** The definition as it was when the run started, so later updates do not change it. */
  definition: string;
  status: string;
  machine_id: string | null;
  inputs: string;
  output: string | null;
  error: string | null;
  awaiting_human_reason: string | null;
  awaiting_step_id: string | null;
  iterations_used: number;
  max_iterations: number | null;
  spent_cents: number;
  budget_cents: number | null;
  deadline_seconds: number | null;
  llm: string | null;
  webhook_url: string | null;
  webhook_secret: string | null;
  metadata: string | null;
  request_id: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
}

/**
 * One step instance of a workflow run, keyed by its path (`rows/2/fill`, `flaky/attempt-3`):
 * what a restarted run reads instead of doing the step again.
 */
export interface WorkflowStepsTable {
  workflow_run_id: string;
  key: string;
  step_id: string;
  type: string;
  /** `running`, `awaiting_human`, `succeeded`, `failed`, `skipped`. */
  status: string;
  /** The child run of a task step, chosen before the run is created. */
  run_id: string | null;
  /** The step's output, or a recorded decision (a branch taken, a list to loop over). */
  value: string | null;
  error: string | null;
  /** When a wait or a retry's backoff ends. */
  wake_at: string | null;
  schema_version: number;
  created_at: string;
  finished_at: string | null;
}
