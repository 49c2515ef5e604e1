// Every ELBv2 action vpclab serves (network and gateway load balancers), one table per family.
import type { ActionTable } from "../actions.js";
import { LISTENER_ACTIONS } from "./listeners.js";
import { LOAD_BALANCER_ACTIONS } from "./loadBalancers.js";
import { TAG_ACTIONS } from "./tags.js";
import { TARGET_GROUP_ACTIONS } from "./targetGroups.js";

export const ELBV2_ACTIONS: ActionTable = {
  ...LOAD_BALANCER_ACTIONS, ...TARGET_GROUP_ACTIONS, ...LISTENER_ACTIONS, ...TAG_ACTIONS,
};
