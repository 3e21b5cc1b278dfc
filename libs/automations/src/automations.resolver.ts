import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Actor, CurrentUser, EVERYONE, Roles, TICKET_WORKERS } from '@staydesk/identity';
import { AssignmentService } from './assignment.service';
import { MacroInput, SavedViewInput } from './automations.input';
import { ViewsService } from './views.service';
import {
  AgentAvailabilityObject,
  AssignmentModeEnum,
  AvailabilityEnum,
  MacroApplicationObject,
  MacroObject,
  MacroPreviewObject,
  SavedViewObject,
  TeamAssignmentObject,
  toMacroObject,
} from './automations.object';
import type { AssignmentMode, Availability } from './automations.repository';
import { MacrosService } from './macros.service';

@Resolver(() => MacroObject)
export class MacrosResolver {
  constructor(private readonly service: MacrosService) {}

  @Roles(...TICKET_WORKERS)
  @Query(() => [MacroObject], {
    description:
      "Macros you may apply (yours, your teams' and global ones), most used first; search matches the name.",
  })
  async macros(
    @CurrentUser() actor: Actor,
    @Args('search', { type: () => String, nullable: true }) search?: string | null,
    @Args('first', { type: () => Int, nullable: true, description: '1 to 200 (default 50).' })
    first?: number | null,
  ) {
    return (await this.service.list(actor, search, first)).map(toMacroObject);
  }

  @Roles(...TICKET_WORKERS)
  @Query(() => MacroPreviewObject, {
    description:
      'The rendered reply and note and the changes applying a macro would make (nothing is written).',
  })
  previewMacro(
    @CurrentUser() actor: Actor,
    @Args('ticketId', { type: () => ID }) ticketId: string,
    @Args('macroId', { type: () => ID }) macroId: string,
  ) {
    return this.service.preview(actor, ticketId, macroId);
  }

  @Roles(...TICKET_WORKERS)
  @Mutation(() => MacroObject, {
    description:
      'Save a macro. Agents: personal ones; admins and team leads: team and global ones.',
  })
  async createMacro(@CurrentUser() actor: Actor, @Args('input') input: MacroInput) {
    return toMacroObject(await this.service.create(actor, input));
  }

  @Roles(...TICKET_WORKERS)
  @Mutation(() => MacroObject, { description: 'Replace a macro (same rules as createMacro).' })
  async updateMacro(
    @CurrentUser() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: MacroInput,
  ) {
    return toMacroObject(await this.service.update(actor, id, input));
  }

  @Roles(...TICKET_WORKERS)
  @Mutation(() => Boolean, { description: 'Delete a macro (same rules as createMacro).' })
  deleteMacro(@CurrentUser() actor: Actor, @Args('id', { type: () => ID }) id: string) {
    return this.service.delete(actor, id);
  }

  @Roles(...TICKET_WORKERS)
  @Mutation(() => MacroApplicationObject, {
    description:
      'Post the rendered reply (if the macro has one), add its note and apply its actions in one transaction; any refusal (state machine, stale version, private team) changes nothing.',
  })
  applyMacro(
    @CurrentUser() actor: Actor,
    @Args('ticketId', { type: () => ID }) ticketId: string,
    @Args('macroId', { type: () => ID }) macroId: string,
    @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number | null,
  ) {
    return this.service.apply(actor, ticketId, macroId, expectedVersion);
  }
}

@Resolver(() => AgentAvailabilityObject)
export class AssignmentResolver {
  constructor(private readonly assignment: AssignmentService) {}

  @Roles(...TICKET_WORKERS)
  @Query(() => AgentAvailabilityObject, {
    description: 'Your availability for automatic assignment.',
  })
  myAvailability(@CurrentUser() actor: Actor) {
    return this.assignment.myAvailability(actor);
  }

  @Roles(...TICKET_WORKERS)
  @Mutation(() => AgentAvailabilityObject, {
    description: 'Available or away: automatic assignment skips away agents.',
  })
  setAvailability(
    @CurrentUser() actor: Actor,
    @Args('availability', { type: () => AvailabilityEnum }) availability: Availability,
  ) {
    return this.assignment.setAvailability(actor, availability);
  }

  @Roles('team_lead', 'admin')
  @Mutation(() => TeamAssignmentObject, {
    description:
      "How new unassigned tickets of a team are assigned (admins and the team's lead), with the most open tickets one agent may get.",
  })
  setTeamAssignment(
    @CurrentUser() actor: Actor,
    @Args('teamId', { type: () => ID }) teamId: string,
    @Args('mode', { type: () => AssignmentModeEnum }) mode: AssignmentMode,
    @Args('cap', { type: () => Int }) cap: number,
  ) {
    return this.assignment.setTeamAssignment(actor, teamId, mode, cap);
  }
}

@Resolver(() => SavedViewObject)
export class SavedViewsResolver {
  constructor(private readonly views: ViewsService) {}

  @Roles(...EVERYONE)
  @Query(() => [SavedViewObject], {
    description:
      'Your saved views, then those shared with your team (or the teams you lead), in sidebar order, each with its live count.',
  })
  savedViews(@CurrentUser() actor: Actor) {
    return this.views.list(actor);
  }

  @Roles(...EVERYONE)
  @Mutation(() => SavedViewObject, {
    description:
      'Save a view (personal, or shared with a team by admins and its lead); it goes last.',
  })
  async createSavedView(@CurrentUser() actor: Actor, @Args('input') input: SavedViewInput) {
    const v = await this.views.create(actor, input);
    return { ...v, count: await this.views.countOf(actor, v) };
  }

  @Roles(...EVERYONE)
  @Mutation(() => SavedViewObject, { description: 'Change the name, filter or order of a view.' })
  async updateSavedView(
    @CurrentUser() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: SavedViewInput,
  ) {
    const v = await this.views.update(actor, id, input);
    return { ...v, count: await this.views.countOf(actor, v) };
  }

  @Roles(...EVERYONE)
  @Mutation(() => Boolean, {
    description: 'Delete a view (yours, or a team view as admin or its lead).',
  })
  deleteSavedView(@CurrentUser() actor: Actor, @Args('id', { type: () => ID }) id: string) {
    return this.views.delete(actor, id);
  }

  @Roles(...EVERYONE)
  @Mutation(() => Boolean, {
    description:
      "Order your personal views (or, with teamId, a team's shared views): ids lists the whole group in the new order.",
  })
  reorderSavedViews(
    @CurrentUser() actor: Actor,
    @Args('ids', { type: () => [ID] }) ids: string[],
    @Args('teamId', { type: () => ID, nullable: true }) teamId?: string | null,
  ) {
    return this.views.reorder(actor, ids, teamId);
  }
}
