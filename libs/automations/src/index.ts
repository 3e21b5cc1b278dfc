export { AutomationsApiModule, AutomationsWorkerModule } from './automations.module';
export { RulesService } from './rules.service';
