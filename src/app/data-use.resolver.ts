import { Ctx, Field, FieldResolver, Int, ObjectType, Resolver, Root } from "type-graphql";
import type { Context } from "../kernel/context";
import { DataCategory, Partner, Purpose } from "../modules/catalog";
import { Subject } from "../modules/people";
import { dataUseOf } from "./queries/data-use";

@ObjectType({ description: "What Candor's records show a person's data was used for." })
export class DataUse {
  @Field(() => DataCategory)
  dataCategory: DataCategory;

  @Field(() => [Purpose])
  purposes: Purpose[];

  @Field(() => Int, { description: "Decisions that used this category." })
  decisions: number;

  @Field(() => Date)
  firstUsedAt: Date;

  @Field(() => Date)
  lastUsedAt: Date;

  @Field(() => [Partner], { description: "Partners this data came from, if any." })
  sourcePartners: Partner[];

  @Field(() => [Partner], { description: "Partners this data was shared with, if any." })
  sharedWith: Partner[];
}

const present = <T>(items: Array<T | null | Error>): T[] =>
  items.filter((i): i is T => i !== null && !(i instanceof Error));

@Resolver(() => Subject)
export class SubjectDataUseResolver {
  @FieldResolver(() => [DataUse], {
    description: "Every data category Candor's records show was used about this person, most recent first.",
  })
  async dataUse(@Root() subject: Subject, @Ctx() ctx: Context): Promise<DataUse[]> {
    const rows = await dataUseOf(ctx.services.db.manager, subject.id);
    const { catalog } = ctx.loaders;
    return Promise.all(
      rows.map(async (r) => {
        const [dataCategory, purposes, sourcePartners, sharedWith] = await Promise.all([
          catalog.dataCategory.load(r.dataCategoryId),
          catalog.purpose.loadMany(r.purposeIds),
          catalog.partner.loadMany(r.sourcePartnerIds),
          catalog.partner.loadMany(r.sharedWithIds),
        ]);
        return Object.assign(new DataUse(), {
          dataCategory: dataCategory!,
          purposes: present(purposes),
          decisions: r.decisions,
          firstUsedAt: r.firstUsedAt,
          lastUsedAt: r.lastUsedAt,
          sourcePartners: present(sourcePartners),
          sharedWith: present(sharedWith),
        });
      }),
    );
  }
}
