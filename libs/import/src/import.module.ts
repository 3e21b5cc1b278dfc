import { Module } from '@nestjs/common';
import { IdentityModule } from '@staydesk/identity';
import { ImportUploadController } from './import-upload';
import { ImportProcessor } from './import.processor';
import { ImportMergeRepository } from './import-merge.repository';
import { ImportRepository } from './import.repository';
import { ImportResolver } from './import.resolver';
import { ImportService } from './import.service';

/** History import: the service (CLI and worker), its repository. */
@Module({
  providers: [ImportRepository, ImportMergeRepository, ImportService],
  exports: [ImportService, ImportRepository],
})
export class ImportModule {}

/** api: the GraphQL operations, the browser's CSV upload and the rejects download. */
@Module({
  imports: [ImportModule, IdentityModule],
  providers: [ImportResolver],
  controllers: [ImportUploadController],
})
export class ImportApiModule {}

@Module({ imports: [ImportModule], providers: [ImportProcessor] })
export class ImportWorkerModule {}
