import { Module } from '@nestjs/common';
import { SystemRepository } from './system.repository';
import { SystemService } from './system.service';

@Module({ providers: [SystemRepository, SystemService], exports: [SystemService] })
export class SystemModule {}
