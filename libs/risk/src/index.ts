export {
  DEFAULT_MODEL,
  DEFAULT_MODEL_V1,
  DISTRIBUTION_BANDS_MIN_CUSTOMERS,
  FACTOR_NAMES,
  bandOf,
  bandsInForce,
  quantileBands,
  scoreCustomer,
  transform,
} from './risk-model';
export type { BandThresholds, FactorName, RiskModel } from './risk-model';
export { RiskApiModule, RiskModule, RiskWorkerModule } from './risk.module';
export { BandEnum, RiskHistoryPointObject } from './risk.object';
export { RiskRepository } from './risk.repository';
export type { RawFeatures } from './risk.repository';
export { RiskService } from './risk.service';
export { WINDOW_CHUNK } from './risk.processor';
export type { RescoreResult } from './risk.service';
export { backfillRiskHistory } from './history-backfill';
export type { HistoryBackfillResult } from './history-backfill';
export {
  BacktestInputError,
  aucDifference,
  aucInterval,
  brierScore,
  evaluate,
  fixed,
  parseWindow,
  percent,
  precisionAtK,
  reliabilityTable,
  rocAuc,
  storedModel,
  textTable,
  withConfigWeights,
} from './backtest';
export type { BacktestReport, BacktestWindow, Outcome, ReliabilityRow } from './backtest';
export { fitLogistic } from './fit';
