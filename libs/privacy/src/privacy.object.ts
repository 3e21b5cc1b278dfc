import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('ContactErasure', { description: 'What eraseContact anonymised.' })
export class ContactErasureObject {
  @Field(() => ID, { description: 'The erased contact (kept as an anonymous stub).' })
  contactId!: string;
  @Field({ description: 'When the erasure happened.' }) erasedAt!: Date;
  @Field(() => Int, { description: 'Tickets requested by the contact whose subject was erased.' })
  ticketsErased!: number;
  @Field(() => Int, { description: 'Messages whose body was erased (kind, time, sentiment kept).' })
  messagesErased!: number;
  @Field(() => Int, { description: 'Surveys detached from the contact (scores kept for KPIs).' })
  surveysDetached!: number;
  @Field(() => Int, { description: 'Follow-ups on those tickets whose note/outcome was erased.' })
  followUpsErased!: number;
}
