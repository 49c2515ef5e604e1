// The IAM actions vpclab serves (Query protocol, like ELBv2 and STS): users, roles, inline and
// managed policies, enough for aws-cli and the SDKs to set up the identities a trace evaluates.
import type { ActionTable } from "../actions.js";

export const IAM_ACTIONS: ActionTable = {};
