/** The scopes of the reference API, plus this server's operator scopes. */
export const referenceScopes = [
  'predict',
  'session',
  'ground',
  'parse',
  'keys',
  'usage',
  'machines:read',
  'machines:write',
  'actions:exec',
  'terminal:exec',
  'files:read',
  'files:write',
  'browser:execute',
  'snapshots:write',
  'connection:read',
  'schedules:read',
  'schedules:write',
  'triggers:write',
  'runs:read',
  'runs:write',
  'workflows:read',
  'workflows:write',
  'llm_keys',
] as const;

/** `wallet:read` shows the balance; `admin` tops up wallets and creates organizations. */
export const operatorScopes = ['wallet:read', 'admin'] as const;

export const allScopes = [...referenceScopes, ...operatorScopes] as const;
export type Scope = (typeof allScopes)[number];

/** What a key gets when its creator names no scopes (the reference's default list). */
export const defaultScopes: Scope[] = [
  'predict',
  'session',
  'ground',
  'parse',
  'machines:read',
  'machines:write',
  'actions:exec',
  'terminal:exec',
  'files:read',
  'files:write',
  'snapshots:write',
  'runs:read',
  'runs:write',
  'workflows:read',
  'workflows:write',
  'llm_keys',
  'wallet:read',
];
