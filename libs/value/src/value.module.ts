import { Module } from '@nestjs/common';
import { RiskModule } from '@staydesk/risk';
import { ValueLoaders } from './value.loaders';
import { ValueProcessor } from './value.processor';
import { ValueRepository } from './value.repository';
import { CustomerValueResolver } from './value.resolver';
import { ValueService } from './value.service';

/** Customer lifetime value: MRR history, value to date, expected value, value segments. */
@Module({
  imports: [RiskModule],
  providers: [ValueRepository, ValueService, ValueLoaders],
  exports: [ValueService, ValueLoaders],
})
export class ValueModule {}

@Module({ imports: [ValueModule], providers: [CustomerValueResolver] })
export class ValueApiModule {}

@Module({ imports: [ValueModule], providers: [ValueProcessor] })
export class ValueWorkerModule {}
