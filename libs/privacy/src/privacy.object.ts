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

@ObjectType('ContactErasurePreview', {
  description: 'What eraseContact would anonymise for a contact, counted now.',
})
export class ContactErasurePreviewObject {
  @Field(() => ID) contactId!: string;
  @Field({ description: 'The name that will be replaced by "Erased contact".' }) name!: string;
  @Field({ description: 'The e-mail address that will be replaced.' }) email!: string;
  @Field({ description: 'The customer the contact belongs to (kept).' }) customerName!: string;
  @Field(() => Date, { nullable: true, description: 'Set when the contact is erased already.' })
  erasedAt!: Date | null;
  @Field(() => Int, { description: 'Tickets they requested whose subject would be erased.' })
  ticketsErased!: number;
  @Field(() => Int, { description: 'Messages whose body would be erased.' })
  messagesErased!: number;
  @Field(() => Int, { description: 'Surveys that would be detached (scores kept).' })
  surveysDetached!: number;
  @Field(() => Int, { description: 'Follow-ups on those tickets whose note/outcome would go.' })
  followUpsErased!: number;
}
