import { Field, ObjectType, registerEnumType } from "type-graphql";
import { Role } from "../../kernel/principal";
import { Partner } from "../catalog";

registerEnumType(Role, { name: "Role" });

@ObjectType({ description: "Who is calling, as Candor sees the credentials." })
export class Viewer {
  @Field(() => Role)
  role: Role;

  @Field(() => [String])
  scopes: string[];

  /** The partner a partner key is bound to. */
  partnerId?: string;

  @Field(() => Partner, { nullable: true })
  partner?: Partner | null;
}
