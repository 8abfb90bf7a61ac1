export { WalletService } from './wallet-service.js';
export { ledgerSchemaVersion } from './ledger-entries.js';
export type { ChargeOutcome, LedgerEntry } from './ledger-entries.js';
export { walletRoutes } from './wallet-routes.js';
