import {
  getNullableType,
  isInputObjectType,
  isListType,
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLResolveInfo,
} from "graphql";
import { InputProblems } from "../kernel/errors";
import { illFormedStrings } from "../kernel/text/well-formed";

// JUDGED_PER_ITEM (kernel/text/well-formed.ts) marks the lists a service judges item by item.

/** Whether the input field at `path` (argument name first) is a per-item list. */
function judgedPerItem(args: readonly GraphQLArgument[], path: string[]): boolean {
  let type: GraphQLInputType | undefined = args.find((a) => a.name === path[0])?.type;
  for (const step of path.slice(1)) {
    const nullable = type && getNullableType(type);
    if (isListType(nullable)) type = nullable.ofType;
    else if (isInputObjectType(nullable)) {
      const field = nullable.getFields()[step];
      if (!field) return false;
      if (field.extensions?.judgedPerItem) return true;
      type = field.type;
    } else return false;
  }
  return false;
}

/**
 * Issue 12, at the boundary and once: every argument and input field of every field must be
 * well-formed Unicode without NUL, else the call is refused (INVALID, with each path) before any
 * resolver runs. Mutations with payloads get userErrors, queries a top-level error (see
 * UserErrorsMiddleware and format-error.ts).
 */
export function assertWellFormedArgs(args: Record<string, unknown>, info: GraphQLResolveInfo): void {
  // Most fields take no argument: no work for them.
  let any = false;
  for (const _ in args) {
    any = true;
    break;
  }
  if (!any) return;
  const declared = info.parentType.getFields()[info.fieldName]?.args ?? [];
  const problems = illFormedStrings(args, [], (path) => judgedPerItem(declared, path));
  if (problems.length > 0) throw new InputProblems(problems);
}
