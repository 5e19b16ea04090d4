import { Field, Int, ObjectType } from "type-graphql";
import { PageInfo } from "../../kernel/graphql/connection";
import { UserError } from "../../kernel/graphql/user-error";
import { DataRequest } from "./data-request.entity";

@ObjectType()
export class DataRequestEdge {
  @Field()
  cursor: string;

  @Field(() => DataRequest)
  node: DataRequest;
}

@ObjectType()
export class DataRequestConnection {
  @Field(() => [DataRequestEdge])
  edges: DataRequestEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int)
  totalCount: number;
}

@ObjectType()
export class SubmitDataRequestPayload {
  @Field(() => DataRequest, { nullable: true })
  dataRequest?: DataRequest | null;

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}

@ObjectType()
export class DataRequestPayload {
  @Field(() => DataRequest, { nullable: true })
  dataRequest?: DataRequest | null;

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}
