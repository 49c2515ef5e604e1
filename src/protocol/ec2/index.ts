// Every EC2 action vpclab serves, from one table per resource family.
import type { ActionTable } from "../actions.js";
import { CATALOG_ACTIONS } from "./catalog.js";
import { ENDPOINT_CONNECTION_ACTIONS } from "./endpointConnections.js";
import { ENDPOINT_SERVICE_CONFIGURATION_ACTIONS } from "./endpointServiceConfigurations.js";
import { ENDPOINT_ACTIONS } from "./endpoints.js";
import { GATEWAY_ACTIONS } from "./gateways.js";
import { INSIGHTS_ACTIONS } from "./insights.js";
import { INSTANCE_ACTIONS } from "./instances.js";
import { NETWORK_ACL_ACTIONS } from "./networkAcls.js";
import { PEERING_ACTIONS } from "./peering.js";
import { ROUTE_ACTIONS } from "./routes.js";
import { SECURITY_GROUP_ACTIONS } from "./securityGroups.js";
import { TAG_ACTIONS } from "./tags.js";
import { VPC_ACTIONS } from "./vpcs.js";

export const EC2_ACTIONS: ActionTable = {
  ...VPC_ACTIONS, ...ROUTE_ACTIONS, ...GATEWAY_ACTIONS, ...PEERING_ACTIONS, ...SECURITY_GROUP_ACTIONS,
  ...NETWORK_ACL_ACTIONS, ...INSTANCE_ACTIONS, ...ENDPOINT_ACTIONS, ...CATALOG_ACTIONS, ...TAG_ACTIONS,
  ...INSIGHTS_ACTIONS, ...ENDPOINT_SERVICE_CONFIGURATION_ACTIONS, ...ENDPOINT_CONNECTION_ACTIONS,
};
