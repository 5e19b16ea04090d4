import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { ConnectionType, type Connection } from "../../kernel/graphql/connection";
import { UserError } from "../../kernel/graphql/user-error";

@ObjectType({ description: "One entry of the tamper-evident audit log." })
export class AuditLogEntry {
  @Field(() => Int)
  seq: number;

  @Field(() => Date)
  occurredAt: Date;

  @Field()
  actor: string;

  @Field()
  action: string;

  @Field()
  entityType: string;

  @Field()
  entityId: string;

  @Field()
  hash: string;

  @Field()
  previousHash: string;
}

export const AuditLogConnection = ConnectionType(AuditLogEntry, "AuditLog");
export type AuditLogConnection = Connection<AuditLogEntry>;

@ObjectType()
export class AuditLogVerification {
  @Field()
  valid: boolean;

  @Field(() => Int)
  checkedEntries: number;

  @Field(() => Int, {
    nullable: true,
    description:
      "The smallest seq that breaks a lane: an entry that does not hash as recorded, the entry after a missing one, or the lane head's last seq when its last entries are missing.",
  })
  firstBrokenSeq: number | null;
}

@ObjectType({
  description:
    "A checkpoint of every audit lane's head (hash: SHA-256 of the RFC 8785 list [{lane, laneSeq, hash}]; seq: the largest), signed with the receipt key, so that a copy kept elsewhere can later prove the log was not rewritten.",
})
export class AuditLogHead {
  @Field(() => Int)
  seq: number;

  @Field()
  hash: string;

  @Field(() => Date)
  signedAt: Date;

  @Field()
  jws: string;
}

// The data audit's answer.

export enum AuditFindingKind {
  PAST_RETENTION = "PAST_RETENTION",
  UNDECLARED_DATA_USE = "UNDECLARED_DATA_USE",
  SHARING_WITHOUT_AGREEMENT = "SHARING_WITHOUT_AGREEMENT",
  DECISION_WITHOUT_CONSENT = "DECISION_WITHOUT_CONSENT",
  PROFILING_ON_NON_PROFILING_SURFACE = "PROFILING_ON_NON_PROFILING_SURFACE",
  UNDESCRIBED_PRACTICE = "UNDESCRIBED_PRACTICE",
}
registerEnumType(AuditFindingKind, {
  name: "AuditFindingKind",
  valuesConfig: {
    PROFILING_ON_NON_PROFILING_SURFACE: {
      description: "A decision on a surface in NON_PROFILING mode that relied on data not usable without profiling.",
    },
    UNDESCRIBED_PRACTICE: {
      description:
        "A decision factor or sharing event that the privacy policy in force at its time did not describe (a purpose or category it did not declare, an agreement it did not list).",
    },
  },
});

@ObjectType()
export class AuditFinding {
  @Field(() => AuditFindingKind)
  kind: AuditFindingKind;

  @Field(() => Int)
  count: number;

  @Field()
  detail: string;
}

@ObjectType()
export class DataAudit {
  @Field(() => ID)
  id: string;

  @Field(() => Date)
  ranAt: Date;

  @Field(() => [AuditFinding])
  findings: AuditFinding[];

  @Field(() => Int)
  purgedRecords: number;
}

@ObjectType()
export class RunDataAuditPayload {
  @Field(() => DataAudit, { nullable: true })
  dataAudit?: DataAudit | null;

  @Field(() => [UserError])
  userErrors: UserError[] = [];
}
