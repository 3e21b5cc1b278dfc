export * from './assignment.service';
export * from './automations.module';
export * from './automations.object';
export * from './automations.repository';
export * from './macro-rules';
export * from './macros.service';
export * from './views.service';
