import { Entity, PrimaryColumn } from "typeorm";
import { BoolColumn, EnumColumn, IntColumn, TimeColumn, UUID_LENGTH } from "../../kernel/db/columns";
import { ConsentSource, ConsentStatus } from "./consent.enums";

/**
 * A person's latest explicit choice per purpose (USER, SERVICE or ADMIN): the input to rule 3.
 * The full history is in consent_event; this row makes the current state one indexed read.
 */
@Entity("consent_state")
export class ConsentState {
  @PrimaryColumn({ type: "varchar", length: UUID_LENGTH })
  subjectId: string;

  @PrimaryColumn({ type: "varchar", length: UUID_LENGTH })
  purposeId: string;

  @EnumColumn()
  status: ConsentStatus;

  @EnumColumn()
  source: ConsentSource;

  @BoolColumn()
  gpcOverridden: boolean;

  @IntColumn()
  policyVersion: number;

  @TimeColumn()
  updatedAt: Date;
}
