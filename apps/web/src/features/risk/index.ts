export { RiskListRoute } from './routes/RiskListRoute';
export { FactorBars } from './components/FactorBars';
export { RiskActionModal, RiskActionsMenu, type RiskAction } from './components/RiskActions';
