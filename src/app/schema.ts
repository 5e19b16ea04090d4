import { lexicographicSortSchema, printSchema, specifiedDirectives, type GraphQLSchema } from "graphql";
import { applyMiddleware } from "graphql-middleware";
import { buildSchema } from "type-graphql";
import {
  AlgorithmCardResolver,
  CatalogQueryResolver,
  PartnerResolver,
  PersonalizationLevelResolver,
  PurposeResolver,
  SharingAgreementResolver,
} from "../modules/catalog/catalog.resolver";
import { ConsentMutationResolver } from "../modules/consent/consent.resolver";
import {
  ConsentEventResolver,
  ConsentResolver,
  SubjectResolver,
  ViewerSubjectResolver,
} from "../modules/consent/subject.resolver";
import {
  ConsentCheckModesResolver,
  ControlResolver,
  DecisionResolver,
  FactorResolver,
  SubjectDecisionsResolver,
} from "../modules/decisions/decisions.resolver";
import {
  PartnerSignalResolver,
  RecipientResolver,
  SharingEventResolver,
  SharingResolver,
  SubjectSharingResolver,
} from "../modules/sharing/sharing.resolver";
import { AuditResolver } from "../modules/audit/audit.resolver";
import { BreachIncidentResolver, BreachNoticeResolver, SubjectBreachResolver } from "../modules/breach/breach.resolver";
import { PolicyResolver, SubjectPolicyResolver } from "../modules/policy/policy.resolver";
import { DataRequestResolver, SubjectRightsResolver } from "../modules/rights/rights.resolver";
import { ViewerResolver } from "../modules/people/viewer.resolver";
import { NodeResolver } from "./node.resolver";
import { permissionsMiddleware } from "./permissions";
import { cacheControlDirective } from "../kernel/graphql/cache";
import { UserErrorsMiddleware } from "./user-errors.middleware";
import { SubjectDataUseResolver } from "./data-use.resolver";
import { PolicyRequestMetricsResolver } from "./request-metrics.resolver";

const resolvers = [
  SubjectDataUseResolver,
  PolicyRequestMetricsResolver,
  NodeResolver,
  ViewerResolver,
  CatalogQueryResolver,
  PurposeResolver,
  PersonalizationLevelResolver,
  AlgorithmCardResolver,
  PartnerResolver,
  SharingAgreementResolver,
  SubjectResolver,
  ConsentResolver,
  ConsentEventResolver,
  ViewerSubjectResolver,
  ConsentMutationResolver,
  DecisionResolver,
  FactorResolver,
  ControlResolver,
  SubjectDecisionsResolver,
  ConsentCheckModesResolver,
  SharingResolver,
  SharingEventResolver,
  PartnerSignalResolver,
  RecipientResolver,
  SubjectSharingResolver,
  AuditResolver,
  BreachIncidentResolver,
  BreachNoticeResolver,
  SubjectBreachResolver,
  PolicyResolver,
  SubjectPolicyResolver,
  DataRequestResolver,
  SubjectRightsResolver,
] as const;

/** The schema as the code declares it, before permissions are woven in. */
export async function buildBareSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    // type-graphql 2 leaves class-validator off unless asked.
    validate: { forbidUnknownValues: false, stopAtFirstError: false },
    globalMiddlewares: [UserErrorsMiddleware],
    // type-graphql hands this list to GraphQLSchema, which then replaces (not extends) graphql's
    // own: without specifiedDirectives, @include/@skip are refused and introspection lacks
    // @deprecated, @specifiedBy and @oneOf, and standard clients break (issue 14).
    directives: [...specifiedDirectives, cacheControlDirective],
  });
}

/** The served schema: every field guarded by the permission map, deny by default. */
export async function buildServedSchema(): Promise<GraphQLSchema> {
  return applyMiddleware(await buildBareSchema(), permissionsMiddleware());
}

/** schema/schema.graphql: sorted, so that every change is a readable diff. */
export async function printBareSchema(): Promise<string> {
  return printSchema(lexicographicSortSchema(await buildBareSchema())) + "\n";
}
