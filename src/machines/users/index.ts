export { MachineUsers, giveTo, userNameOf } from './machine-users.js';
export type { MachineUser, MachineUsersLogger, MachineUsersOptions } from './machine-users.js';
export { processesOf } from './user-processes.js';
export { removeAsUser, runAsWrapper } from './run-as.js';
