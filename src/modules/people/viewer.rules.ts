import { anyone, type PermissionMap } from "../../auth/rules";

export const viewerPermissions: PermissionMap = {
  Query: { viewer: anyone, node: anyone },
  Viewer: anyone,
};
