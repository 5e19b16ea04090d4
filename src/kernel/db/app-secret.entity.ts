import { Entity, PrimaryColumn } from "typeorm";
import { TextColumn, TimeColumn } from "./columns";

/**
 * Secrets Candor generates for itself when none is configured (a development JWT secret, signing
 * keys), kept in the database so that every process of one deployment agrees on them.
 */
@Entity("app_secret")
export class AppSecret {
  @PrimaryColumn({ type: "varchar", length: 64 })
  name: string;

  @TextColumn()
  value: string;

  @TimeColumn()
  createdAt: Date;
}
