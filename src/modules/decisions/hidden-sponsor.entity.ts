import { Entity, PrimaryColumn } from "typeorm";
import { NAME_LENGTH, TimeColumn, UUID_LENGTH } from "../../kernel/db/columns";

/** A sponsor (an ad's onBehalfOf) the person chose not to see ads from; compared byte for byte. */
@Entity("hidden_sponsor")
export class HiddenSponsor {
  @PrimaryColumn({ type: "varchar", length: UUID_LENGTH })
  subjectId: string;

  @PrimaryColumn({ type: "varchar", length: NAME_LENGTH })
  sponsor: string;

  @TimeColumn()
  hiddenAt: Date;
}
