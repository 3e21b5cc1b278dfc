import { Module } from '@nestjs/common';
import { ImportProcessor } from './import.processor';
import { ImportRepository } from './import.repository';
import { ImportResolver } from './import.resolver';
import { ImportService } from './import.service';

/** History import: the service (CLI and worker), its repository. */
@Module({
  providers: [ImportRepository, ImportService],
  exports: [ImportService],
})
export class ImportModule {}

@Module({ imports: [ImportModule], providers: [ImportResolver] })
export class ImportApiModule {}

@Module({ imports: [ImportModule], providers: [ImportProcessor] })
export class ImportWorkerModule {}
