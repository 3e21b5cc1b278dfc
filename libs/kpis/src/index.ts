export { boolParam, listParam, numberParam, sendCsv, sendError } from './csv-export';
export { csvLine } from './kpi-format';
export { KpisApiModule, KpisWorkerModule } from './kpis.module';
export { KpisService, type RefreshResult } from './kpis.service';
export { rebuildKpis } from './kpi-rebuild';
