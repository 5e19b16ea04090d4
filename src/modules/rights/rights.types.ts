import { Field, ObjectType } from "type-graphql";
import { ConnectionType, type Connection } from "../../kernel/graphql/connection";
import { UserError } from "../../kernel/graphql/user-error";
import { DataRequest } from "./data-request.entity";

export const DataRequestConnection = ConnectionType(DataRequest);
export type DataRequestConnection = Connection<DataRequest>;

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
