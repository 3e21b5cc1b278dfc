export { ValueApiModule, ValueModule, ValueWorkerModule } from './value.module';
export { ValueBasisEnum, ValueSegmentEnum } from './value.object';
export { ValueRepository } from './value.repository';
export { ValueService } from './value.service';
