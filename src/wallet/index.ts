export { WalletService, ledgerSchemaVersion } from './wallet-service.js';
export type { ChargeOutcome, LedgerEntry } from './wallet-service.js';
export { walletRoutes } from './wallet-routes.js';
