import { Field, Int, ObjectType } from "type-graphql";
import { UserError } from "../../kernel/graphql/user-error";
import { BreachIncident, BreachNotice } from "./breach.entity";

@ObjectType()
export class BreachIncidentPayload {
  @Field(() => BreachIncident, { nullable: true })
  incident?: BreachIncident | null;

  @Field(() => Int, { description: "How many people were notified by this call." })
  notified: number = 0;

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}

@ObjectType()
export class AcknowledgeBreachNoticePayload {
  @Field(() => BreachNotice, { nullable: true })
  breachNotice?: BreachNotice | null;

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}
