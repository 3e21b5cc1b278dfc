import { Injectable } from '@nestjs/common';
import { LoaderFactory, byIdLoader, groupLoader } from '@staydesk/core';
import { ValueService } from './value.service';

@Injectable()
export class ValueLoaders implements LoaderFactory<ReturnType<ValueLoaders['build']>> {
  constructor(private readonly value: ValueService) {}

  create() {
    return this.build();
  }

  private build() {
    return {
      lifetimeValue: byIdLoader(
        (ids) => this.value.lifetimeValues(ids),
        (v) => v.customerId,
      ),
      mrrHistory: groupLoader(
        (ids) => this.value.mrrHistory(ids),
        (h) => h.customerId,
      ),
    };
  }
}
