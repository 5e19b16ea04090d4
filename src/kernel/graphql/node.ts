import { Field, ID, InterfaceType } from "type-graphql";
import { toGlobalId } from "../ids";

/**
 * Every object with a global id. Entities extend it: their database `id` stays a UUID, and
 * GraphQL's `id` is the opaque global id computed from the class name.
 */
@InterfaceType("Node", {
  resolveType: (value: object) => value.constructor.name,
})
export abstract class Node {
  abstract id: string;

  @Field(() => ID, { name: "id" })
  get globalId(): string {
    return toGlobalId(this.constructor.name, this.id);
  }
}
