/**
 * The automations feature's small public widgets, used inside other features' screens (the
 * queue sidebar, the ticket composer). Kept apart from index.ts so importing them does not pull
 * the lazily loaded admin routes into the main bundle.
 */
export { useMacroPicker } from './components/MacroPicker';
export { SavedViewsNav } from './components/SavedViewsNav';
