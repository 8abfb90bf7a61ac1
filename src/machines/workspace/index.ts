export { MachineWorkspace } from './machine-workspace.js';
export { WorkspaceFiles } from './workspace-files.js';
export { WorkspaceTerminal } from './workspace-terminal.js';
export { TerminalSession } from './terminal-session.js';
export { DEFAULT_EXECUTE_TIMEOUT_MS } from './execute-options.js';
export { DEFAULT_MAX_FILE_BYTES } from './file-content.js';
export { resolveWorkspacePath } from './resolve-path.js';
export { shellEnvironment } from './shell-protocol.js';
export type { MachineWorkspaceOptions } from './machine-workspace.js';
export type {
  EditOptions,
  ReadOptions,
  ReadResult,
  WriteOptions,
  WrittenFile,
} from './workspace-files.js';
export type { FileEntry, FileEntryType, ListOptions, ListResult } from './workspace-listing.js';
export type { FileEncoding } from './file-content.js';
export type { ExecuteOptions, ExecuteResult, TerminalOutput } from './execute-options.js';
export type { ResolvedPath, HomePaths } from './resolve-path.js';
