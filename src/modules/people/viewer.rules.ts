import { anyone, type PermissionMap } from "../../kernel/rules";

export const viewerPermissions: PermissionMap = {
  Query: { viewer: anyone, node: anyone },
  Viewer: anyone,
};
