import { Field, ID, InputType } from '@nestjs/graphql';
import {
  PriorityEnum,
  TicketFilterInput,
  TicketOrder,
  TicketOrderEnum,
  TicketStatusEnum,
} from '@staydesk/tickets';
import { MacroScopeEnum } from './automations.object';
import type { MacroScope } from './automations.repository';

@InputType({ description: 'Omitted actions leave the ticket as it is.' })
export class MacroActionsInput {
  @Field(() => TicketStatusEnum, { nullable: true }) status?: string | null;
  @Field(() => PriorityEnum, { nullable: true }) priority?: string | null;
  @Field(() => ID, { nullable: true }) teamId?: string | null;
  @Field(() => ID, { nullable: true }) assigneeId?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Clear the assignee.' })
  unassign?: boolean | null;
  @Field(() => [String], { nullable: true }) addTags?: string[] | null;
  @Field(() => [String], { nullable: true }) removeTags?: string[] | null;
  @Field(() => String, { nullable: true, description: 'An internal note to add.' })
  note?: string | null;
}

@InputType({
  description:
    'A macro. Unknown placeholders in body or note are BAD_USER_INPUT naming them. Replaces the whole macro on update.',
})
export class MacroInput {
  @Field({ description: '1 to 100 characters.' }) name!: string;
  @Field(() => String, { nullable: true, description: 'The public reply (up to 64 KB).' })
  body?: string | null;
  @Field(() => MacroScopeEnum) scope!: MacroScope;
  @Field(() => ID, { nullable: true, description: 'Required for team macros.' })
  teamId?: string | null;
  @Field(() => MacroActionsInput, { nullable: true }) actions?: MacroActionsInput | null;
}

@InputType({ description: "A saved view: the tickets query's filter and order under a name." })
export class SavedViewInput {
  @Field({ description: '1 to 100 characters.' }) name!: string;
  @Field(() => TicketFilterInput, { nullable: true }) filter?: TicketFilterInput | null;
  @Field(() => TicketOrderEnum, { nullable: true, defaultValue: 'updated_desc' })
  orderBy?: TicketOrder | null;
  @Field(() => ID, {
    nullable: true,
    description: 'Share with this team (admins and its lead); omitted: a personal view.',
  })
  teamId?: string | null;
}
