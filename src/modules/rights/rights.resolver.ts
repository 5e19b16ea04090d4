import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../kernel/context";
import { Subject } from "../people";
import { DataRequest, DataRequestStatus } from "./data-request.entity";
import {
  DataRequestsArgs,
  ExtendDataRequestInput,
  ResolveDataRequestInput,
  SubmitDataRequestInput,
} from "./rights.inputs";
import { DataRequestConnection, DataRequestPayload, SubmitDataRequestPayload } from "./rights.types";

const payload = (dataRequest: DataRequest) => Object.assign(new DataRequestPayload(), { dataRequest });

@Resolver(() => DataRequest)
export class DataRequestResolver {
  @Mutation(() => SubmitDataRequestPayload)
  async submitDataRequest(
    @Arg("input") input: SubmitDataRequestInput,
    @Ctx() ctx: Context,
  ): Promise<SubmitDataRequestPayload> {
    const dataRequest = await ctx.services.rights.submit(ctx.principal, input);
    ctx.loaders.consent.choices.clearAll();
    return Object.assign(new SubmitDataRequestPayload(), { dataRequest });
  }

  @Mutation(() => DataRequestPayload)
  async completeDataRequest(
    @Arg("input") input: ResolveDataRequestInput,
    @Ctx() ctx: Context,
  ): Promise<DataRequestPayload> {
    return payload(
      await ctx.services.rights.resolve(ctx.principal, input.id, input.reason, DataRequestStatus.COMPLETED),
    );
  }

  @Mutation(() => DataRequestPayload)
  async denyDataRequest(
    @Arg("input") input: ResolveDataRequestInput,
    @Ctx() ctx: Context,
  ): Promise<DataRequestPayload> {
    return payload(await ctx.services.rights.resolve(ctx.principal, input.id, input.reason, DataRequestStatus.DENIED));
  }

  @Mutation(() => DataRequestPayload, { description: "Once, within the jurisdiction's extension." })
  async extendDataRequest(
    @Arg("input") input: ExtendDataRequestInput,
    @Ctx() ctx: Context,
  ): Promise<DataRequestPayload> {
    return payload(await ctx.services.rights.extend(ctx.principal, input.id, input.days, input.reason));
  }

  @Query(() => DataRequestConnection, { description: "Open and past requests, soonest due first." })
  dataRequests(
    @Args() { first, after, status }: DataRequestsArgs,
    @Ctx() ctx: Context,
  ): Promise<DataRequestConnection> {
    return ctx.services.rights.list(first, after, status) as Promise<DataRequestConnection>;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "For ACCESS when completed: everything held about the person, as JSON text organised by topic (JSON Schema at /schemas/access-export.json); objects named by global id, with their names beside.",
  })
  export(@Root() request: DataRequest): string | null {
    return request.exportData ? JSON.stringify(request.exportData) : null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: "For ACCESS when completed: a plain-language account of the export, for the person.",
  })
  summary(@Root() request: DataRequest, @Ctx() ctx: Context): string | null {
    return ctx.services.rights.summary(request);
  }

  @FieldResolver(() => Subject, { nullable: true, description: "[admin] The person who asked." })
  subject(@Root() request: DataRequest, @Ctx() ctx: Context): Promise<Subject | null> {
    return ctx.loaders.people.subject.load(request.subjectId);
  }
}

@Resolver(() => Subject)
export class SubjectRightsResolver {
  @FieldResolver(() => [DataRequest])
  dataRequests(@Root() subject: Subject, @Ctx() ctx: Context): Promise<DataRequest[]> {
    return ctx.loaders.rights.bySubject.load(subject.id);
  }
}
