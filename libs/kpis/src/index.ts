export * from './csv-export';
export * from './kpi-format';
export * from './kpi-plan';
export * from './kpis.module';
export * from './kpis.object';
export * from './kpis.repository';
export * from './kpis.service';
export * from './kpi-rebuild';
