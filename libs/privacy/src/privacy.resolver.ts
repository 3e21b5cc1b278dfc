import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { GraphQLJSONObject } from '@staydesk/core';
import { Actor, CurrentUser, Roles } from '@staydesk/identity';
import { ContactErasureObject, ContactErasurePreviewObject } from './privacy.object';
import { PrivacyService } from './privacy.service';

@Resolver()
export class PrivacyResolver {
  constructor(private readonly privacy: PrivacyService) {}

  @Roles('admin')
  @Query(() => GraphQLJSONObject, {
    description:
      'Admins: everything stored about a contact (contact, customer, tickets they requested, messages they wrote or received, surveys) as JSON, for a data-subject access request. Audited.',
  })
  exportContactData(
    @CurrentUser() actor: Actor,
    @Args('contactId', { type: () => ID }) contactId: string,
  ) {
    return this.privacy.exportContact(actor, contactId);
  }

  @Roles('admin')
  @Query(() => ContactErasurePreviewObject, {
    description:
      'Admins: what eraseContact would anonymise (the name and e-mail, and counts of tickets, messages, surveys and follow-ups), for the confirmation. Reads only.',
  })
  contactErasurePreview(@Args('contactId', { type: () => ID }) contactId: string) {
    return this.privacy.erasurePreview(contactId);
  }

  @Roles('admin')
  @Mutation(() => ContactErasureObject, {
    description:
      'Admins: irreversibly anonymise a contact everywhere (name, e-mail, phone; subjects and bodies of their tickets and messages; survey comments; surveys detached). Ticket history, timings, scores and sentiment stay for KPIs. One transaction, audited.',
  })
  eraseContact(
    @CurrentUser() actor: Actor,
    @Args('contactId', { type: () => ID }) contactId: string,
  ) {
    return this.privacy.eraseContact(actor, contactId);
  }
}
