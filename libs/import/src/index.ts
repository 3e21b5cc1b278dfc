export { IMPORT_KINDS } from './import-fields';
export { ImportInputError, parseMapFlag, parseMappingFile } from './import-mapping';
export { ImportApiModule, ImportModule, ImportWorkerModule } from './import.module';
export { ImportService } from './import.service';
export type { ImportProgress, ImportRequest, ImportSummary } from './import.service';
export { TimeFormatError } from './time-format';
